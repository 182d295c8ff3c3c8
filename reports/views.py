"""The calibration dashboard and the chart images it (and the prediction pages) show.

Views parse filters, call selectors and `reports.dashboard`, and render; they do no
arithmetic on scores. Charts are SVG documents served by their own URLs, cached under
keys that include the data version, and revalidated by the browser with an ETag.
"""

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.csp import CSP
from django.utils.safestring import mark_safe
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from predictions.forecasters import question_view
from predictions.models import Prediction
from predictions.services import profile_for
from reports.charts.dates import date_svg
from reports.charts.history import choice_svg, prediction_svg
from reports.dashboard.cache import (
    CACHE_SECONDS,
    cache_key,
    dashboard_activity,
    dashboard_numbers,
    numbers_key,
)
from reports.dashboard.charts import (
    CHART_NAMES,
    chart_images,
    chart_query,
    chart_svg,
    inline_charts,
)
from reports.dashboard.filters import PERIODS, DashboardFilterForm
from reports.dashboard.links import bucket_url, list_url, period_links
from reports.dashboard.numbers import ROLLING
from reports.dashboard.sections import MIN_CALIBRATION
from reports.question_lines import (
    binary_line,
    community_line,
    community_options_line,
    option_line,
    quantile_line,
)
from reports.selectors.filters import prediction_counts
from reports.selectors.history import evidence_times
from reports.selectors.version import data_version
from web.htmx import wants_partial

# matplotlib styles its SVG with inline style attributes; nothing in it may run.
SVG_CSP = {"default-src": [CSP.NONE], "style-src": [CSP.UNSAFE_INLINE]}
SHARED_VISIBILITY = (Prediction.Visibility.LINK, Prediction.Visibility.PUBLIC)
IMMUTABLE = "private, max-age=31536000, immutable"


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _cached(key: str, render_svg) -> bytes:
    """The SVG cached under `key`, rendered and stored on a miss."""
    svg = cache.get(key)
    if svg is None:
        svg = render_svg()
        cache.set(key, svg, CACHE_SECONDS)
    return svg


def _svg_response(
    request: HtmxHttpRequest, key: str, svg: bytes, *, immutable: bool = False
) -> HttpResponse:
    """`svg` with an ETag derived from its cache key (304 if the browser has it).

    `immutable` responses (URLs that name the data version) may be kept by the browser
    for good; the others are revalidated with their ETag on every use.
    """
    etag = f'"{key.rsplit(":", 1)[-1][:32]}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["ETag"] = etag
    response["Cache-Control"] = IMMUTABLE if immutable else "private, no-cache"
    return response


@require_GET
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """Calibration dashboard: the calibration chart and the Brier score with its verdict
    first, the last 3 months beside the chosen period, activity and the rolling Brier
    line; the rest in collapsed sections. Filters live in the query string; htmx
    requests get the results region only."""
    today = profile_for(request.user).today()
    form = DashboardFilterForm(request.GET, user=request.user, today=today)
    filters = form.filters()
    version = data_version(user=request.user)
    page = {
        "nav": "dashboard",
        "form": form,
        "filters": filters,
        "periods": period_links(filters),
        "filter_fields": _filter_fields(request, form),
    }
    # The results region is cached whole under the numbers' key (data version, filters,
    # the owner's day) and the query as typed (which errors it shows): rendering it costs
    # more than everything else on a warm page.
    partial = wants_partial(request)
    results_key = cache_key(
        "results",
        numbers_key(user=request.user, filters=filters, version=version),
        request.GET.urlencode(),
        bool(request.htmx),
    )
    results = cache.get(results_key)
    if results is None:
        results = _dashboard_results(request, filters, version, page)
        cache.set(results_key, results, CACHE_SECONDS)
    if partial:
        return HttpResponse(results)
    return render(request, "reports/dashboard.html", {**page, "results": mark_safe(results)})


def _filter_fields(request: HtmxHttpRequest, form: DashboardFilterForm) -> str:
    """The filter form's fields as HTML, cached by the query as typed and the user's
    tags: Django's widget templates cost more to render than the rest of a warm page."""
    choices = (tuple(form.tag_choices), tuple(form.group_choices))
    key = cache_key("filter-fields", request.user.pk, request.GET.urlencode(), choices)
    html = cache.get(key)
    if html is None:
        template = "reports/includes/dashboard_filter_fields.html"
        html = render_to_string(template, {"form": form}, request)
        cache.set(key, html, CACHE_SECONDS)
    return mark_safe(html)  # rendered by our template, which escapes every value


def _dashboard_results(request: HtmxHttpRequest, filters, version: str, page: dict) -> str:
    """The dashboard's results region as HTML."""
    today = profile_for(request.user).today()
    numbers = dashboard_numbers(user=request.user, filters=filters, version=version)
    if filters.period == "3m":
        beside_label = "All time"
        all_time = dashboard_numbers(user=request.user, filters=filters.all_time(), version=version)
        beside = all_time.headline
    else:
        beside_label, beside = PERIODS["3m"][0], numbers.recent
    counts = prediction_counts(user=request.user, today=today, **filters.selector_kwargs())
    cal = numbers.calibration
    activity = dashboard_activity(user=request.user, version=version)
    context = {
        **page,
        "period_label": PERIODS[filters.period][0]
        if filters.period
        else ("Custom period" if filters.custom else "All time"),
        "beside": beside,
        "beside_label": beside_label,
        # Chart URLs carry the filters and the data version, so a browser may keep each
        # image for good: new data means new URLs.
        "chart_query": chart_query(filters, version),
        "numbers": numbers,
        "images": chart_images(numbers),
        "inline": inline_charts(numbers, filters, activity),
        "bucket_rows": [
            (b, bucket_url(filters, b.centre_pct)) for b in (cal.buckets if cal else [])
        ],
        "scored_url": list_url(filters),
        "rolling_window": ROLLING,
        "activity": activity,
        "counts": counts,
        "min_calibration": MIN_CALIBRATION,
    }
    return render_to_string("reports/dashboard.html#dashboard-results", context, request)


@require_GET
@csp_override(SVG_CSP)
def dashboard_chart(request: HtmxHttpRequest, name: str) -> HttpResponse:
    """One dashboard chart as SVG, for the filters in the query string.

    With `v`, the data version the page was rendered with, the chart is drawn from the
    numbers cached for that version (no query beyond the filters' tags) and may be kept
    by the browser for good; without it, or once those numbers have left the cache, the
    current data is drawn and revalidated by ETag.
    """
    if name not in CHART_NAMES:
        raise Http404("No such chart.")
    today = profile_for(request.user).today()
    filters = DashboardFilterForm(request.GET, user=request.user, today=today).filters()

    def keys(version: str) -> tuple[str, str]:
        numbers = numbers_key(user=request.user, filters=filters, version=version)
        return numbers, cache_key("chart", name, numbers)

    requested = request.GET.get("v", "")[:64]
    if requested:
        numbers_at, chart_at = keys(requested)
        svg = cache.get(chart_at)
        if svg is None and (numbers := cache.get(numbers_at)) is not None:
            svg = _cached(chart_at, lambda: chart_svg(name, numbers))
        if svg is not None:
            return _svg_response(request, chart_at, svg, immutable=True)
    version = data_version(user=request.user)
    chart_at = keys(version)[1]

    def render_svg() -> bytes:
        numbers = dashboard_numbers(user=request.user, filters=filters, version=version)
        return chart_svg(name, numbers)

    svg = _cached(chart_at, render_svg)
    return _svg_response(request, chart_at, svg, immutable=requested == version)


def _prediction_chart(request: HtmxHttpRequest, prediction: Prediction, viewer) -> HttpResponse:
    """The chart of one prediction's forecasts by kind (yes/no: probability over time;
    multiple choice: a line per option; release date: a fan of its quantiles), cached
    by the very data it draws. It draws the line predictions.forecasters gives `viewer`
    (their own forecasts, or the owner's on a shared link) and, on a yes/no question
    forecast together whose others they may see, the community forecast's history."""
    evidence = evidence_times(prediction)
    profile = profile_for(prediction.owner)
    closed = prediction.status != Prediction.Status.OPEN
    known_at = prediction.known_at if closed else None
    # An open prediction's lines run to today, so its key changes daily.
    today = None if known_at else timezone.now().date()
    viewer_today = profile_for(viewer).today() if viewer.is_authenticated else _utc_today()
    view = question_view(prediction, viewer, viewer_today)
    kind = prediction.kind
    data: tuple  # what the chart draws, for its cache key
    if kind == Prediction.Kind.MULTIPLE_CHOICE:
        history = option_line(prediction, view.line)
        choices = community_options_line(view.history) if view.together else None
        winner = (
            history.option_ids.index(prediction.outcome_option_id)
            if prediction.status == Prediction.Status.RESOLVED
            and prediction.outcome_option_id in history.option_ids
            else None
        )
        data = (history.times, history.labels, history.probs.tolist(), winner, choices)

        def render_svg() -> bytes:
            return choice_svg(
                times=history.times,
                labels=history.labels,
                probs=history.probs,
                known_at=known_at,
                winner=winner,
                evidence_times=evidence,
                tz=profile.tzinfo,
                community=choices,
            )

    elif kind == Prediction.Kind.DATE:
        quantiles = quantile_line(view.line)
        actual = (
            prediction.outcome_date if prediction.status == Prediction.Status.RESOLVED else None
        )
        data = (quantiles.times, quantiles.levels, quantiles.days.tolist(), actual)

        def render_svg() -> bytes:
            return date_svg(
                times=quantiles.times,
                levels=quantiles.levels,
                days=quantiles.days,
                known_at=known_at,
                actual=actual,
                resolve_by=prediction.resolve_by,
                evidence_times=evidence,
                tz=profile.tzinfo,
            )

    else:
        times, probs = binary_line(view.line)
        community = community_line(view.history) if view.together else None
        outcome = None if prediction.outcome is None else int(prediction.outcome)
        data = (times, probs, outcome, community)

        def render_svg() -> bytes:
            return prediction_svg(
                times=times,
                probs=probs,
                known_at=known_at,
                outcome=outcome,
                evidence_times=evidence,
                tz=profile.tzinfo,
                community=community,
            )

    key = cache_key(
        "prediction",
        prediction.pk,
        kind,
        profile.timezone,
        known_at,
        prediction.resolve_by,
        today,
        data,
        evidence,
    )
    return _svg_response(request, key, _cached(key, render_svg))


@require_GET
@csp_override(SVG_CSP)
def prediction_chart(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The chart of one prediction for its owner and the members of the groups it is
    shared with (predictions.sharing); 404 for anyone else."""
    prediction = get_object_or_404(
        Prediction.objects.readable_by(request.user)
        .select_related("owner__profile")
        .prefetch_related("shared_with"),
        pk=pk,
    )
    return _prediction_chart(request, prediction, request.user)


@login_not_required
@require_GET
@csp_override(SVG_CSP)
def shared_prediction_chart(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The same chart for a prediction shared by link or public; 404 while private."""
    prediction = get_object_or_404(
        Prediction.objects.filter(visibility__in=SHARED_VISIBILITY)
        .select_related("owner__profile")
        .prefetch_related("shared_with"),
        share_token=token,
    )
    # Whoever opens a shared link sees what an anonymous reader sees, hiding included.
    return _prediction_chart(request, prediction, AnonymousUser())


def _utc_today():
    return timezone.now().date()
