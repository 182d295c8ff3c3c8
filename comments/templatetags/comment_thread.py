"""{% comment_thread prediction %}: the thread section, for templates of the predictions
app, which must not import comments (docs/design.md §2). `public`: the shared link's
read-only page."""

from django import template

from comments.views import thread_context

register = template.Library()


@register.inclusion_tag("comments/section.html", takes_context=True)
def comment_thread(context, prediction, public=False) -> dict:
    request = context["request"]
    return thread_context(prediction=prediction, viewer=request.user, public=bool(public))
