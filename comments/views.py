"""The comment thread of a prediction: read it, post, edit, delete, see earlier versions.

Every URL reads the prediction through `readable_by` before anything else (the method
check included), so another account's prediction (or a former member's) answers 404 on
GET and POST alike, and a comment through its
author, so someone else's comment answers 404 too. htmx requests get the thread section
back to swap in place; plain requests get a page or a redirect to the prediction.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from comments.forms import CommentForm
from comments.models import Comment
from comments.services import can_comment, comment_delete, comment_edit, comment_post
from comments.timeline import author_name, thread_entries
from predictions.models import Prediction
from web.forms import add_form_errors
from web.htmx import wants_partial

SECTION_TEMPLATE = "comments/section.html"
PAGE_TEMPLATE = "comments/page.html"


def thread_context(
    *,
    prediction: Prediction,
    viewer,
    public: bool = False,
    form: CommentForm | None = None,
    editing: int | None = None,
    edit_form: CommentForm | None = None,
    notice: str = "",
) -> dict:
    """What templates/comments/section.html needs; also used by {% comment_thread %}.

    `public`: the shared link's page, where the thread is read-only for everyone.
    `editing`: the comment whose edit form shows in its place.
    """
    allowed = viewer.is_authenticated and can_comment(prediction, viewer)
    if not (public or allowed):
        return {"hidden": True}  # the pages that include it check first; this is a backstop
    writable = allowed and not public
    return {
        "prediction": prediction,
        "entries": thread_entries(prediction, viewer, public=public),
        "public": public,
        "can_comment": allowed,
        "form": (form or CommentForm()) if writable else None,
        "viewer_id": viewer.pk if writable else None,
        "editing": editing,
        "edit_form": edit_form,
        "notice": notice,
    }


def _readable_prediction(request: HttpRequest, pk: int) -> Prediction:
    return get_object_or_404(
        Prediction.objects.readable_by(request.user).select_related("owner__profile"), pk=pk
    )


def _own_comment(request: HttpRequest, prediction: Prediction, comment_pk: int) -> Comment:
    return get_object_or_404(
        Comment.objects.live(), pk=comment_pk, prediction=prediction, author_id=request.user.pk
    )


def _render(request: HttpRequest, prediction: Prediction, **extra) -> HttpResponse:
    context = thread_context(prediction=prediction, viewer=request.user, **extra)
    template = SECTION_TEMPLATE if wants_partial(request) else PAGE_TEMPLATE
    return render(request, template, context)


def _done(
    request: HttpRequest, prediction: Prediction, comment: Comment, notice: str
) -> HttpResponse:
    """After a write: the thread with a notice (htmx), or back to the comment."""
    if wants_partial(request):
        return _render(request, prediction, notice=notice)
    messages.success(request, notice)
    detail = reverse("predictions:detail", args=[prediction.pk])
    return redirect(f"{detail}#comment-{comment.pk}")


def _submit(
    request: HttpRequest, prediction: Prediction, write, notice: str, editing: int | None = None
) -> HttpResponse:
    """Runs `write(body)` on a valid form. A refused body shows the form again with its
    messages (in the comment's place when `editing`); a lost right to write is a 404."""
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = write(form.cleaned_data["body"])
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            return _done(request, prediction, comment, notice)
    if editing is None:
        return _render(request, prediction, form=form)
    return _render(request, prediction, editing=editing, edit_form=form)


@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the thread. POST: a new comment."""
    prediction = _readable_prediction(request, pk)
    if request.method == "GET":
        return _render(request, prediction)

    def write(body: str) -> Comment:
        return comment_post(prediction=prediction, author=request.user, body=body)

    return _submit(request, prediction, write, "Comment posted.")


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    """The edit form in the comment's place (GET); saving records the old text (POST)."""
    prediction = _readable_prediction(request, pk)
    comment = _own_comment(request, prediction, comment_pk)
    if request.method == "GET":
        form = CommentForm(initial={"body": comment.body})
        return _render(request, prediction, editing=comment.pk, edit_form=form)

    def write(body: str) -> Comment:
        return comment_edit(comment=comment, author=request.user, body=body)

    return _submit(request, prediction, write, "Comment saved.", editing=comment.pk)


def delete(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    prediction = _readable_prediction(request, pk)
    comment = _own_comment(request, prediction, comment_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        comment_delete(comment=comment, author=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    return _done(request, prediction, comment, "Comment deleted.")


def history(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    """A comment's earlier versions, for everyone who reads the thread; none once the
    comment is deleted."""
    prediction = _readable_prediction(request, pk)
    comment = get_object_or_404(
        Comment.objects.live().select_related("author__profile"),
        pk=comment_pk,
        prediction=prediction,
    )
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    context = {
        "prediction": prediction,
        "comment": comment,
        "author": author_name(comment.author, public=False),
        "edits": list(comment.edits.order_by("-created_at", "-pk")),
    }
    return render(request, "comments/history.html", context)
