"""Views for entering, listing, updating, resolving and sharing predictions.

Each view parses input, calls a selector or service, and renders. htmx requests get the
named partial of the same template; everything also works as plain GET/POST.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from predictions import kinds, rules, services
from predictions.capture import preview_text
from predictions.date_completion import completion_json
from predictions.dates_in_words import QUICK_DATES, describe_day, read_date
from predictions.forecasters import QuestionView, question_view
from predictions.forms import (
    PredictionEditForm,
    ShareForm,
    evidence_from_query,
    known_at_for_evidence,
)
from predictions.list_filters import STATUS_FILTERS, filter_note, hidden_pairs, select_list
from predictions.models import Prediction, attach_summaries
from predictions.names import member_name, public_name
from predictions.probability import certainty_warning
from predictions.quick_entry import (
    capture_create,
    full_form_url,
    past_date_to_confirm,
    read_entry,
)
from predictions.services import profile_for, tags_for_names
from predictions.templatetags.forecasting import outcome_words
from web.forms import add_form_errors
from web.htmx import partial_template
from web.pagination import paginate


def _own_prediction(request, pk: int) -> Prediction:
    return get_object_or_404(Prediction.objects.visible_to(request.user), pk=pk)


@require_GET
def prediction_list(request):
    """The user's questions (own, and shared ones they forecast on: what the dashboard
    scores), newest first, each with the user's own latest forecast; filter by status,
    forecast bucket and the dashboard's filters (tags, kind, group, creation and
    resolution dates, period: the same `FilterForm`, so a dashboard bucket lists exactly
    what it counts), search the text."""
    profile = profile_for(request.user)
    today = profile.today()
    chosen_list = select_list(request.GET, request.user, profile)
    form, filters, chosen = chosen_list.form, chosen_list.filters, chosen_list.chosen
    tags, selected, status = chosen_list.tags, chosen_list.selected, chosen_list.status
    predictions, query = chosen_list.predictions, chosen_list.query
    group_name = dict(form.group_choices).get(str(filters.group), "") if filters.group else ""

    pages = paginate(request, predictions.for_list(author=request.user))
    page = pages["page"]
    attach_summaries(page.object_list)
    has_any = bool(page.object_list) or Prediction.objects.forecast_on_by(request.user).exists()
    context = {
        **pages,
        "nav": "list",
        "today": today,
        "tags": tags,
        "current_tag": chosen[0] if len(chosen) == 1 else None,
        "filters": filters,
        # What the form has no control for travels in hidden fields, so searching or
        # changing the status keeps a dashboard link's filters.
        # A chosen group is valid, so its menu is shown (the form read the choices).
        "hidden_filters": hidden_pairs(
            filters, shown_tag=len(chosen) == 1, shown_group=filters.group is not None
        ),
        "filter_note": filter_note(filters, selected, [t.name for t in chosen], group_name),
        # Called by the template: only a full page, which shows the menu, reads them.
        "groups": lambda: form.group_choices,
        "current_group": str(filters.group or ""),
        "status": status,
        "status_filters": STATUS_FILTERS,
        "query": query,
        "selected": selected,
        "has_any": has_any,
        "capture": _capture_context(request, "", ""),
    }
    return render(
        request, partial_template(request, "predictions/list.html", "prediction-results"), context
    )


# The capture line can hand over to the full form; these fields take what it read.
_HANDED_OVER = ("question", "probability", "resolve_by", "new_tags")


def _capture_context(request, line: str, resolve_by: str) -> dict:
    """What templates/predictions/includes/capture_line.html shows: the line, the reading
    and its preview, the quick dates."""
    today = profile_for(request.user).today()
    reading = read_entry(line, resolve_by, today)
    chance = reading.probability
    return {
        "line": line,
        "resolve_by": resolve_by,
        "reading": reading,
        "preview": preview_text(reading),
        "problems": {problem.field: problem.message for problem in reading.problems},
        "full_form_url": full_form_url(reading),
        "quick_dates": QUICK_DATES,
        "date_completion": completion_json(),
        "typed": bool(line.strip()),
        "certainty": certainty_warning(chance.probability) if chance else "",
        "errors": False,  # problems are hints while typing, errors once saving failed
        "past_warning": "",
        "today": today,
    }


def _capture_input(data) -> tuple[str, str]:
    # Not cut: read_entry says when the line is too long.
    return str(data.get("line", "")), str(data.get("resolve_by", ""))


@require_GET
def capture_preview(request):
    """What the capture line will save, as the person types (a hint, never an error)."""
    context = {"capture": _capture_context(request, *_capture_input(request.GET))}
    return render(request, "predictions/includes/capture_preview.html", context)


@require_GET
def date_reading(request):
    """How a date box's text will be read, as the person types (a hint, never an
    error): "Reads as Sun 6 Dec 2026, end of day, your time". htmx sends the box by its
    own name: resolve_by, or a release-date form's q10, q50, …"""
    text = str(next(iter(request.GET.values()), ""))[:200].strip()
    context = {"text": text, "day": "", "error": ""}
    if text:
        try:
            context["day"] = describe_day(read_date(text, profile_for(request.user).today()))
        except ValueError as exc:
            context["error"] = str(exc)
    return render(request, "predictions/date_reading.html", context)


@require_POST
def capture_save(request):
    """Saves the capture line as a yes/no prediction, or asks for what is missing; the
    "Full form" button hands what was typed over to the entry form instead."""
    line, resolve_by = _capture_input(request.POST)
    context = _capture_context(request, line, resolve_by)
    reading = context["reading"]
    context["errors"] = True
    if "full_form" in request.POST:
        return redirect(context["full_form_url"])
    if not reading.problems and reading.deadline is not None:
        day, today = reading.deadline.day, context["today"]
        context["past_warning"] = past_date_to_confirm(day, today, request.POST)
    if not reading.problems and not context["past_warning"]:
        try:
            prediction = capture_create(owner=request.user, reading=reading)
        except ValidationError as exc:
            messages_by_field = exc.message_dict if hasattr(exc, "error_dict") else {}
            context["problems"] = {
                ("claim" if field == "question" else field): " ".join(errors)
                for field, errors in (messages_by_field or {"claim": exc.messages}).items()
            }
        else:
            messages.success(request, f"Saved “{prediction.question}”. {context['preview']}.")
            return redirect("predictions:list")
    context = {"capture": context, "nav": "list"}
    return render(request, "predictions/capture.html", context, status=400)


def _kind(value: str | None) -> str:
    return value if value in Prediction.Kind.values else Prediction.Kind.BINARY


@require_http_methods(["GET", "POST"])
def prediction_create(request):
    """The entry form for each kind. "Save and add another" returns a fresh form; a
    resolve-by date in the past is saved only once confirmed."""
    kind = _kind(request.POST.get("kind") or request.GET.get("kind"))
    past_warning = ""
    form_class = kinds.CREATE_FORMS[kind]
    rows_note = ""
    if (
        request.method == "POST"
        and kind == Prediction.Kind.MULTIPLE_CHOICE
        and kinds.REARRANGING_BUTTONS & set(request.POST)
    ):
        # One more option row, one fewer, or probabilities scaled to 100%; not saved yet.
        bound = kinds.MultipleChoicePredictionForm(request.POST, owner=request.user)
        initial, rows_note, focus_row = bound.rearranged()
        form = kinds.MultipleChoicePredictionForm(owner=request.user, initial=initial)
        form.focus_option(focus_row)
    elif request.method == "POST":
        form = form_class(request.POST, owner=request.user)
        if form.is_valid():
            today = profile_for(request.user).today()
            past_warning = past_date_to_confirm(
                form.cleaned_data["resolve_by"], today, request.POST
            )
            if not past_warning and (
                prediction := kinds.create_from_form(form, owner=request.user, kind=kind)
            ):
                messages.success(request, f"Saved “{prediction.question}”.")
                if "add_another" in request.POST:
                    return redirect(f"{reverse('predictions:create')}?kind={kind}")
                return redirect("predictions:detail", pk=prediction.pk)
    else:
        handed_over = {key: request.GET[key][:600] for key in _HANDED_OVER if key in request.GET}
        form = form_class(owner=request.user, initial=handed_over)
    context = {
        "form": form,
        "kind": kind,
        "kinds": Prediction.Kind.choices,
        "nav": "create",
        "past_warning": past_warning,
        "rows_note": rows_note,
    }
    return render(request, "predictions/create.html", context)


@require_POST
def option_total(request):
    """The running total of a multiple-choice form's probabilities, as the user types."""
    total = kinds.running_total(request.POST)
    total_ok = total is not None and rules.total_ok(total)
    context = {"total": total, "total_ok": total_ok}
    return render(request, "predictions/option_total.html", context)


def forecast_history(prediction: Prediction, forecasts: list) -> list[dict]:
    """Newest first, each with the yes/no probability it replaced and whether it came
    after the outcome was known (late forecasts are shown but never scored)."""
    rows, previous = [], None
    for forecast in forecasts:
        late = prediction.known_at is not None and forecast.created_at > prediction.known_at
        rows.append({"forecast": forecast, "previous": previous, "late": late})
        previous = forecast.probability
    return rows[::-1]


def _forecast_context(prediction: Prediction, view: QuestionView) -> dict:
    """What the per-kind fragments of templates/predictions/includes/ and the chart tag
    need: the followed forecasts oldest first (predictions.forecasters), the history
    newest first, the latest forecast, the forecasters and community forecast of a
    shared question, the resolution and edit histories."""
    forecasts = view.line
    return {
        "prediction": prediction,
        "forecasts": forecasts,
        "history": forecast_history(prediction, forecasts),
        "latest": forecasts[-1] if forecasts else None,
        "together": view,
        "events": list(
            prediction.resolution_events.select_related("evidence__source", "outcome_option")
        ),
        "edits": list(prediction.edits.all()),
    }


def _detail_context(request, prediction: Prediction, **extra) -> dict:
    today = profile_for(request.user).today()
    is_owner = request.user.pk == prediction.owner_id
    context = {
        **_forecast_context(prediction, question_view(prediction, request.user, today)),
        "tags": list(prediction.tags.all()) if is_owner else [],
        "today": today,
        "is_owner": is_owner,
        "owner_name": "" if is_owner else member_name(prediction.owner),
        "shared_groups": [group.name for group in prediction.shared_with.all()],
        "nav": "list",
    }
    context.setdefault("forecast_form", None)
    context.update(extra)
    if context["forecast_form"] is None and prediction.status == Prediction.Status.OPEN:
        context["forecast_form"] = _forecast_form(request, prediction)
    if (
        is_owner
        and prediction.kind == Prediction.Kind.DATE
        and prediction.status == Prediction.Status.OPEN
    ):
        context.setdefault("extend_form", kinds.ExtendForm())
    return context


def _forecast_form(request, prediction: Prediction, *args, **kwargs):
    """The forecast form of the prediction's kind, starting from the viewer's own
    latest forecast."""
    form_class = kinds.FORECAST_FORMS[prediction.kind]
    return form_class(*args, prediction=prediction, author=request.user, **kwargs)


def _readable_prediction(request, pk: int) -> Prediction:
    """The owner's prediction, or one shared with a group the viewer belongs to
    (predictions.sharing); 404 for anyone else. Owner-only actions use _own_prediction."""
    readable = Prediction.objects.readable_by(request.user).prefetch_related("shared_with")
    return get_object_or_404(readable, pk=pk)


@require_GET
def prediction_detail(request, pk: int):
    prediction = _readable_prediction(request, pk)
    context = _detail_context(request, prediction)
    cited = evidence_from_query(prediction, request.GET.get("evidence"))
    if cited is not None and context["forecast_form"] is not None:
        # "Update forecast citing this" on an evidence link preselects it.
        context["forecast_form"] = _forecast_form(request, prediction, initial={"evidence": cited})
    return render(request, "predictions/detail.html", context)


@require_GET
def forecast_evidence(request, pk: int):
    """The forecast form's evidence choice alone, refetched when evidence was added or
    removed on the page, so that new evidence can be cited without a reload."""
    prediction = _readable_prediction(request, pk)
    context = {"form": _forecast_form(request, prediction), "prediction": prediction}
    return render(request, "predictions/includes/forecast_evidence.html", context)


@require_POST
def forecast_add(request, pk: int):
    """Appends a forecast by the viewer (the owner or a member of a group the prediction
    is shared with: each has their own history); htmx swaps the forecast panel in place."""
    prediction = _readable_prediction(request, pk)
    form = _forecast_form(request, prediction, request.POST)
    if "normalise" in request.POST and isinstance(form, kinds.OptionForecastForm):
        # Scaled to 100% and shown again, not saved: the person checks and presses Update.
        data, note = form.normalised_data()
        form = _forecast_form(request, prediction, initial=data)
        template = partial_template(request, "predictions/detail.html", "forecast-panel")
        context = _detail_context(request, prediction, forecast_form=form, rows_note=note)
        return render(request, template, context)
    if form.is_valid():
        try:
            kinds.forecast_from_form(form, prediction=prediction, author=request.user)
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            if not request.htmx:
                messages.success(request, "Forecast updated.")
                return redirect("predictions:detail", pk=prediction.pk)
            context = _detail_context(
                request,
                prediction,
                forecast_form=_forecast_form(request, prediction),
                just_saved=True,
            )
            response = render(request, "predictions/detail.html#forecast-panel", context)
            response["HX-Trigger"] = "forecast-saved"
            return response
    template = partial_template(request, "predictions/detail.html", "forecast-panel")
    return render(request, template, _detail_context(request, prediction, forecast_form=form))


@require_POST
def prediction_extend(request, pk: int):
    """A release that has not happened by its resolve-by date gets a later one (recorded)."""
    prediction = _own_prediction(request, pk)
    form = kinds.ExtendForm(request.POST)
    if form.is_valid():
        try:
            kinds.extend_from_form(form, prediction=prediction)
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, "Resolve-by date moved; the change is in the edit history.")
            return redirect("predictions:detail", pk=prediction.pk)
    context = _detail_context(request, prediction, extend_form=form)
    return render(request, "predictions/detail.html", context)


@require_http_methods(["GET", "POST"])
def prediction_resolve(request, pk: int):
    """Resolve YES / NO / ANNULLED with known-at and a note; re-resolving is recorded."""
    prediction = _own_prediction(request, pk)
    in_queue = request.POST.get("from") == "due" or request.GET.get("from") == "due"
    if request.method == "POST":
        form = kinds.RESOLVE_FORMS[prediction.kind](request.POST, prediction=prediction)
        if form.is_valid():
            try:
                kinds.resolve_from_form(form, prediction=prediction)
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                if request.htmx and in_queue:
                    response = render(
                        request,
                        "predictions/due.html#due-row",
                        {"prediction": prediction, "resolved_now": True},
                    )
                    # The navigation's Due badge listens for this and fetches its count.
                    response["HX-Trigger"] = "due-changed"
                    return response
                if prediction.status == Prediction.Status.ANNULLED:
                    messages.success(request, "Annulled.")
                else:
                    messages.success(request, f"Resolved: {outcome_words(prediction)}.")
                return redirect("predictions:detail", pk=prediction.pk)
        if request.htmx and in_queue:
            # The row shows the latest probability, which only the annotated queryset has.
            row = Prediction.objects.with_latest_forecast().get(pk=prediction.pk)
            attach_summaries([row])
            return render(
                request,
                "predictions/due.html#due-row",
                {
                    "prediction": row,
                    "form": form,
                    "today": profile_for(request.user).today(),
                },
            )
    else:
        link = evidence_from_query(prediction, request.GET.get("evidence"))
        initial = {"evidence": link, "known_at": known_at_for_evidence(prediction, link)}
        form = kinds.RESOLVE_FORMS[prediction.kind](prediction=prediction, initial=initial)
    return render(request, "predictions/resolve.html", {"prediction": prediction, "form": form})


@require_POST
def prediction_reopen(request, pk: int):
    """Undoes the resolution (kept in the history) so it can be re-resolved."""
    prediction = _own_prediction(request, pk)
    try:
        services.prediction_reopen(prediction=prediction)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "Reopened. The earlier resolution stays in the history.")
    return redirect("predictions:detail", pk=prediction.pk)


@require_http_methods(["GET", "POST"])
def prediction_edit(request, pk: int):
    prediction = _own_prediction(request, pk)
    past_warning = ""
    if request.method == "POST":
        form = PredictionEditForm(request.POST, owner=request.user)
        if form.is_valid() and form.cleaned_data["resolve_by"] != prediction.resolve_by:
            # Only a date being changed is asked about: editing the notes of an old
            # prediction whose date has passed needs no confirmation.
            today = profile_for(request.user).today()
            past_warning = past_date_to_confirm(
                form.cleaned_data["resolve_by"], today, request.POST
            )
        if form.is_valid() and not past_warning:
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    tags = form.chosen_tags() + tags_for_names(
                        owner=request.user, names=form.new_tag_names()
                    )
                    services.prediction_update(
                        prediction=prediction,
                        question=data["question"],
                        resolve_by=data["resolve_by"],
                        resolution_criteria=data["resolution_criteria"],
                        notes=data["notes"],
                        tags=tags,
                    )
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, "Saved. Changes to the claim are shown in its history.")
                return redirect("predictions:detail", pk=prediction.pk)
    else:
        form = PredictionEditForm(
            owner=request.user,
            initial={
                "question": prediction.question,
                "resolve_by": prediction.resolve_by,
                "resolution_criteria": prediction.resolution_criteria,
                "notes": prediction.notes,
                "tags": prediction.tags.all(),
            },
        )
    context = {
        "prediction": prediction,
        "form": form,
        "has_forecasts": prediction.forecasts.exists(),
        "past_warning": past_warning,
    }
    return render(request, "predictions/edit.html", context)


@require_http_methods(["GET", "POST"])
def prediction_share(request, pk: int):
    """Who may read it (private, link, public) and the groups whose members forecast on
    it too, with the hiding of each other's forecasts."""
    prediction = _own_prediction(request, pk)
    if request.method == "POST":
        form = ShareForm(request.POST, owner=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    services.prediction_share(
                        prediction=prediction,
                        visibility=data["visibility"],
                        new_link=data["new_link"],
                    )
                    if "groups" in form.fields:
                        services.prediction_share_with_groups(
                            prediction=prediction,
                            groups=data["groups"],
                            hide_until_forecast=data["hide_until_forecast"],
                            hidden_until=data["hidden_until"],
                        )
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, f"Sharing: {_sharing_summary(prediction)}.")
                return redirect("predictions:share", pk=prediction.pk)
    else:
        form = ShareForm(
            owner=request.user,
            initial={
                "visibility": prediction.visibility,
                "groups": list(prediction.shared_with.all()),
                "hide_until_forecast": prediction.hide_until_forecast,
                "hidden_until": prediction.hidden_until,
            },
        )
    share_url = request.build_absolute_uri(
        reverse("predictions:shared", kwargs={"token": prediction.share_token})
    )
    context = {
        "prediction": prediction,
        "form": form,
        "share_url": share_url,
        # The card other sites may frame (predictions.embed), as HTML to copy: its parts
        # escaped here, the whole escaped again by the template's input value.
        "embed_code": format_html(
            '<iframe src="{}" width="400" height="300" title="{}" loading="lazy"></iframe>',
            request.build_absolute_uri(
                reverse("predictions:embed", kwargs={"token": prediction.share_token})
            ),
            Truncator(prediction.question).chars(60),
        ),
        "has_groups": "groups" in form.fields,
    }
    return render(request, "predictions/share.html", context)


def _sharing_summary(prediction: Prediction) -> str:
    names = [group.name for group in prediction.shared_with.all()]
    with_groups = f"; forecast together with {', '.join(names)}" if names else ""
    return f"{prediction.get_visibility_display()}{with_groups}"


@require_GET
def due_badge(request):
    """The navigation's Due badge alone, fetched when a resolution in place changed it."""
    return render(request, "includes/due_badge.html")


@require_GET
def due_queue(request):
    """Open predictions past their resolve-by date, oldest first, resolvable in place."""
    today = profile_for(request.user).today()
    predictions = (
        Prediction.objects.owned_by(request.user).due(today).for_list().order_by("resolve_by", "pk")
    )
    pages = paginate(request, predictions)
    attach_summaries(pages["page"].object_list)
    # The paginator has counted the due predictions: the navigation need not count again.
    context = {
        **pages,
        "today": today,
        "nav": "due",
        "nav_due_count": pages["page"].paginator.count,
    }
    return render(request, "predictions/due.html", context)


def shared_by_token(token: str) -> Prediction:
    """The link-shared or public prediction behind a share token, else 404: private and
    group-only ones never answer here. The shared page and the embed card both use it."""
    return get_object_or_404(
        Prediction.objects.select_related("owner__profile", "outcome_option")
        .prefetch_related("shared_with")
        .exclude(visibility=Prediction.Visibility.PRIVATE),
        share_token=token,
    )


def anonymous_forecast_context(prediction: Prediction) -> dict:
    """What a reader of the link sees, the owner included: an anonymous visitor's view,
    hiding included (predictions.sharing)."""
    today = timezone.now().date()
    return _forecast_context(prediction, question_view(prediction, AnonymousUser(), today))


@login_not_required
@require_GET
def prediction_shared(request, token: str):
    """Read-only page for link-shared and public predictions: no owner details but a name."""
    prediction = shared_by_token(token)
    if request.user.is_authenticated and request.user.pk == prediction.owner_id:
        messages.info(request, "This is how others see your shared prediction.")
    context = {
        **anonymous_forecast_context(prediction),
        "author_name": public_name(prediction.owner),
    }
    return render(request, "predictions/shared.html", context)
