"""Downloads of the requester's scored history (docs/design.md §5) and the columns reference.

The exports stream: the response body is a generator, so the first bytes leave before
the last prediction is read. Filters come from the query string (the prediction list's
and the dashboard's alike); only the requester's own forecasts are ever included (on
their questions and on others' shared with them). `csv_download` and `json_download`
also serve the group export (groups.views), with another question set and scope.
"""

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from reports.exports import csv as csv_export
from reports.exports import json as json_export
from reports.exports.queryset import export_queryset
from reports.exports.scope import ExportScope, personal_scope
from reports.file_format import COLUMN_HELP, CSV_COLUMNS, FORMAT_VERSION


def _download(request: HttpRequest, pieces, *, content_type: str, extension: str, stem: str):
    response = StreamingHttpResponse(pieces, content_type=content_type)
    stamp = timezone.now().strftime("%Y-%m-%d")
    name = f"{stem}-{stamp}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def csv_download(
    request: HttpRequest, qs, scope: ExportScope, *, stem: str = "falsifiable-predictions"
) -> StreamingHttpResponse:
    lines = csv_export.csv_lines(qs, scope, base_url=request.build_absolute_uri("/"))
    return _download(
        request,
        csv_export.csv_stream(lines),
        content_type="text/csv; charset=utf-8",
        extension="csv",
        stem=stem,
    )


def json_download(
    request: HttpRequest, qs, scope: ExportScope, *, stem: str = "falsifiable-predictions"
) -> StreamingHttpResponse:
    return _download(
        request,
        json_export.json_stream(qs, scope, base_url=request.build_absolute_uri("/")),
        content_type="application/json; charset=utf-8",
        extension="json",
        stem=stem,
    )


@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """One row per forecast (per option, per quantile), with scores; see the columns page."""
    qs = export_queryset(user=request.user, params=request.GET)
    return csv_download(request, qs, personal_scope(request.user))


@require_GET
def export_json(request: HttpRequest) -> StreamingHttpResponse:
    """Predictions with options, forecasts, evidence, resolution history and edits."""
    qs = export_queryset(user=request.user, params=request.GET)
    return json_download(request, qs, personal_scope(request.user))


@require_GET
def export_columns(request: HttpRequest) -> HttpResponse:
    """What each CSV column holds, and the shape of the JSON."""
    columns = [(name, COLUMN_HELP[name]) for name in CSV_COLUMNS]
    context = {
        "nav": "list",
        "columns": columns,
        "required": CSV_COLUMNS[:20],
        "format_version": FORMAT_VERSION,
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/export_columns.html", context)
