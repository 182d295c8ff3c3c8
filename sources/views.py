"""Views for the evidence library and the evidence section of a prediction page.

Every object is looked up through its owner, so another user's id (in the URL or typed
into a POST body) answers 404 or "not a valid choice". htmx requests get the section or
a named partial back; the same URLs work as plain GET/POST with redirects.
"""

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget
from django_htmx.middleware import HtmxDetails

from predictions.models import Prediction
from sources.fetch import FetchError, fetch_page_info, limit_fetch_rate
from sources.forms import EvidenceForm, EvidenceLinkForm, SourceForm
from sources.models import EvidenceLink, Source
from sources.normalise import normalise_url
from sources.selectors import evidence_by_stance, library_sources
from sources.services import (
    evidence_link_create,
    evidence_link_delete,
    evidence_link_update,
    source_update,
)
from web.forms import add_form_errors
from web.htmx import partial_template, wants_partial
from web.pagination import paginate

SECTION_TEMPLATE = "sources/evidence_section.html"
PAGE_TEMPLATE = "sources/prediction_evidence.html"
ADD_FORM_TEMPLATE = "sources/evidence_add_form.html"
EVENT_CHANGED = "evidence-changed"  # other regions (forecast form, chart) listen to it
# Where the add form may send the user next: the resolve page or the forecast form,
# with the new link preselected. Anything else goes back to the prediction.
NEXT_TARGETS = {"resolve", "forecast"}

MSG_NO_TITLE = "No title found on that page; type one in."
MSG_FROM_LIBRARY = "Already in your library: filled in from there."


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
    user: User  # LoginRequiredMiddleware: every view here has a signed-in user


def _own_prediction(request: HtmxHttpRequest, pk: int) -> Prediction:
    return get_object_or_404(Prediction.objects.owned_by(request.user), pk=pk)


def _readable_prediction(request: HtmxHttpRequest, pk: int) -> Prediction:
    """Members of a group the prediction is shared with read its evidence too (read-only:
    evidence_section_context offers the forms to the owner only)."""
    return get_object_or_404(Prediction.objects.readable_by(request.user), pk=pk)


def _own_link(request: HtmxHttpRequest, pk: int) -> EvidenceLink:
    links = EvidenceLink.objects.select_related("source", "prediction")
    return get_object_or_404(links, pk=pk, prediction__owner_id=request.user.pk)


def _detail_url(prediction: Prediction, anchor: str = "evidence-section") -> str:
    return reverse("predictions:detail", args=[prediction.pk]) + f"#{anchor}"


def _next_url(prediction: Prediction, link: EvidenceLink, target: str) -> str:
    if target == "resolve":
        return reverse("predictions:resolve", args=[prediction.pk]) + f"?evidence={link.pk}"
    detail = reverse("predictions:detail", args=[prediction.pk])
    return f"{detail}?evidence={link.pk}#forecast-panel"


def evidence_section_context(
    *, prediction: Prediction, user, form: EvidenceForm | None = None, **extra
) -> dict:
    """What templates/sources/evidence_section.html needs; also used by {% evidence_section %}.

    Two queries at most (the links with their sources; the owner's library for the
    add form), however many links there are. Visitors who do not own the prediction
    (shared pages) get the evidence read-only.
    """
    editable = user is not None and user.pk is not None and user.pk == prediction.owner_id
    if editable and form is None:
        form = EvidenceForm(owner=user, prediction=prediction)
    return {
        "prediction": prediction,
        "evidence_groups": evidence_by_stance(prediction),
        "evidence_form": form if editable else None,
        "editable": editable,
        "is_open": prediction.status == Prediction.Status.OPEN,
        **extra,
    }


def _render_section(request: HtmxHttpRequest, prediction: Prediction, **extra) -> HttpResponse:
    """The section for htmx, or the standalone evidence page for everything else."""
    context = evidence_section_context(prediction=prediction, user=request.user, **extra)
    template = SECTION_TEMPLATE if wants_partial(request) else PAGE_TEMPLATE
    return render(request, template, context)


def _changed(response: HttpResponse) -> HttpResponse:
    response["HX-Trigger"] = EVENT_CHANGED
    return response


@require_GET
def source_list(request: HtmxHttpRequest) -> HttpResponse:
    """The evidence library: the user's sources, searchable, each with its predictions."""
    query = request.GET.get("q", "")[:200]
    sources = library_sources(owner=request.user, query=query)
    pages = paginate(request, sources)
    has_any = bool(pages["page"].object_list) or Source.objects.filter(owner=request.user).exists()
    context = {**pages, "query": query, "has_any": has_any, "nav": "evidence"}
    return render(
        request, partial_template(request, "sources/source_list.html", "source-results"), context
    )


@require_http_methods(["GET", "POST"])
def source_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Source.objects.filter(owner_id=request.user.pk), pk=pk)
    if request.method == "POST":
        form = SourceForm(request.POST, instance=source)
        if form.is_valid():
            try:
                source_update(source=source, **form.cleaned_data)
            except ValidationError as exc:
                add_form_errors(form, exc)
                source.refresh_from_db()  # the form wrote the refused values onto it
            else:
                messages.success(request, "Source saved.")
                return redirect("sources:library")
    else:
        form = SourceForm(instance=source)
    links = source.links.select_related("prediction")
    context = {"source": source, "form": form, "links": links, "nav": "evidence"}
    return render(request, "sources/source_edit.html", context)


@require_GET
def evidence_section(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A prediction's evidence: the section (htmx) or a page of its own."""
    return _render_section(request, _readable_prediction(request, pk))


@require_POST
def evidence_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Adds evidence from a pasted link (reusing the library's source) or a library pick."""
    prediction = _own_prediction(request, pk)
    form = EvidenceForm(request.POST, owner=request.user, prediction=prediction)
    target = request.POST.get("next", "")
    target = target if target in NEXT_TARGETS else ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            link = evidence_link_create(
                prediction=prediction,
                owner=request.user,
                url=data["url"],
                source=data["source"],
                stance=data["stance"],
                quote=data["quote"],
                note=data["note"],
                **form.source_fields(),
            )
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            notice = f"Added “{link.source}”."
            if target:
                url = _next_url(prediction, link, target)
                if request.htmx:
                    return HttpResponseClientRedirect(url)
                messages.success(request, notice)
                return redirect(url)
            if wants_partial(request):
                return _changed(_render_section(request, prediction, evidence_notice=notice))
            messages.success(request, notice)
            return redirect(_detail_url(prediction))
    return _render_section(request, prediction, form=form, evidence_next=target)


def _posted_values(form: EvidenceForm) -> dict:
    """The raw values of a bound form, to re-show them in an unbound one (no errors)."""
    return {name: form[name].value() for name in form.fields}


@require_POST
def evidence_fetch_title(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Fills title and publisher in the add form from the page itself (or the library).

    The fetch is SSRF-safe (sources.fetch); whatever goes wrong, the form comes back
    with what the user typed and a message, still usable by hand.
    """
    prediction = _own_prediction(request, pk)
    posted = EvidenceForm(request.POST, owner=request.user, prediction=prediction)
    values = _posted_values(posted)
    extra: dict = {}
    try:
        url = normalise_url(values.get("url") or "")
        known = Source.objects.filter(owner=request.user, url=url).exclude(title="").first()
        if known is not None:
            values.update(url=url, title=known.title, publisher=known.publisher)
            extra["fetch_notice"] = MSG_FROM_LIBRARY
        else:
            limit_fetch_rate(request.user.pk)
            info = fetch_page_info(url)
            values.update(url=info.url, publisher=info.publisher)
            if info.title:
                values["title"] = info.title
            else:
                extra["fetch_notice"] = MSG_NO_TITLE
    except ValidationError as exc:
        extra["fetch_error"] = exc.messages[0]
    except FetchError as exc:
        extra["fetch_error"] = exc.message
    form = EvidenceForm(initial=values, owner=request.user, prediction=prediction)
    target = request.POST.get("next", "")
    extra["evidence_next"] = target if target in NEXT_TARGETS else ""
    if wants_partial(request):
        context = evidence_section_context(
            prediction=prediction, user=request.user, form=form, **extra
        )
        # The stand-alone form (resolve page) and the section's form swap differently.
        template = f"{SECTION_TEMPLATE}#evidence-form"
        if extra["evidence_next"]:
            template = ADD_FORM_TEMPLATE
        return render(request, template, context)
    return _render_section(request, prediction, form=form, **extra)


@require_GET
def evidence_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One link as shown in the section (htmx: "cancel" on an inline edit)."""
    link = _own_link(request, pk)
    if not wants_partial(request):
        return redirect(_detail_url(link.prediction, f"evidence-link-{link.pk}"))
    context = evidence_section_context(prediction=link.prediction, user=request.user)
    context["link"] = link
    return render(request, f"{SECTION_TEMPLATE}#evidence-link", context)


@require_http_methods(["GET", "POST"])
def evidence_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Edit a link's stance, quote and note in place."""
    link = _own_link(request, pk)
    prefix = f"link-{link.pk}"  # several links can be in edit mode on one page
    if request.method == "POST":
        form = EvidenceLinkForm(request.POST, prefix=prefix)
        if form.is_valid():
            try:
                evidence_link_update(link=link, **form.cleaned_data)
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                if wants_partial(request):
                    return _changed(
                        _render_section(request, link.prediction, evidence_notice="Saved.")
                    )
                messages.success(request, "Evidence saved.")
                return redirect(_detail_url(link.prediction, f"evidence-link-{link.pk}"))
    else:
        initial = {"stance": link.stance, "quote": link.quote, "note": link.note}
        form = EvidenceLinkForm(initial=initial, prefix=prefix)
    inline = wants_partial(request)
    context = {"link": link, "prediction": link.prediction, "form": form, "inline": inline}
    if inline:
        response = render(request, "sources/evidence_edit.html#evidence-edit-form", context)
        if request.method == "POST":  # the form targets the section; errors go in place
            response = reswap(retarget(response, f"#evidence-link-{link.pk}"), "outerHTML")
        return response
    return render(request, "sources/evidence_edit.html", context)


@require_POST
def evidence_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Removes a link (the source stays in the library); 303 back to the prediction."""
    link = _own_link(request, pk)
    prediction = link.prediction
    try:
        evidence_link_delete(link=link)
    except ValidationError as exc:
        if wants_partial(request):
            return _render_section(request, prediction, evidence_error=exc.messages[0])
        messages.error(request, exc.messages[0])
    else:
        if wants_partial(request):
            return _changed(_render_section(request, prediction, evidence_notice="Removed."))
        messages.success(request, "Evidence removed; the source stays in your library.")
    return HttpResponseRedirect(_detail_url(prediction), status=303)
