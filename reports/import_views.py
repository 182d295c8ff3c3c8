"""Import from a file: upload → check (nothing written) → confirm → import (all or nothing).

The upload is stored through the "imports" storage and recorded as an ImportUpload
(reports.models), owned by the uploader: every URL looks it up by token *and* owner, so
another account's token answers 404. The check runs once, inline for a small file or as
a background job (reports.imports.jobs) for a large one, and stores a compact summary;
the page renders that summary and never reads the file again. While a job runs, the
page's status block polls `import/<token>/status/` every second (htmx) and shows how far
it has read; a reload shows the same, because the state is the record's.

Size: a request whose Content-Length is over FALSIFIABLE_MAX_UPLOAD_BYTES is refused
(413) before Django reads the body; that is why the upload view is CSRF-exempt and
checks the token itself afterwards (`csrf_protect` on the inner view), the pattern
Django documents for custom upload handling. Django's own limits still apply:
DATA_UPLOAD_MAX_MEMORY_SIZE counts the form fields but not the file, and files over
FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to disk rather than memory.
"""

import logging
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reports.imports import FORMAT_CHOICES, FORMAT_LABELS, jobs
from reports.imports.generic_csv import ROLE_LABELS, ROLES
from reports.imports.storage import UnsafeImportDirectory
from reports.imports.summaries import StoredSummary
from reports.models import ImportUpload

logger = logging.getLogger(__name__)
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small fields beside the file
CHOICES = [(name, FORMAT_LABELS[name]) for name in FORMAT_CHOICES]
MSG_TOO_LARGE = "The file is larger than {limit}; split it or ask the site's administrator."
MSG_EMPTY_UPLOAD = "The file is empty (0 bytes)."
MSG_EXPIRED = "That upload has expired or belongs to another account; upload the file again."
MSG_STORAGE = (
    "Uploads cannot be stored on this server at the moment; please tell the site's "
    "administrator (the upload directory is not private)."
)
MSG_BUSY = "The import is running; it can be cancelled only once it has stopped."
State = ImportUpload.State


def _limit() -> int:
    return settings.FALSIFIABLE_MAX_UPLOAD_BYTES


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Export file",
        help_text="A CSV or JSON file, at most {limit}.",
        error_messages={"empty": MSG_EMPTY_UPLOAD},
    )
    format = forms.ChoiceField(label="Format", choices=CHOICES, initial="auto")
    fatebook_name = forms.CharField(
        label="Your name in Fatebook",
        required=False,
        max_length=200,
        help_text="Only needed for a Fatebook file with several people's forecasts.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["file"]
        field.help_text = field.help_text.format(limit=filesizeformat(_limit()))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > _limit():
            raise forms.ValidationError(MSG_TOO_LARGE.format(limit=filesizeformat(_limit())))
        return upload


class MappingForm(forms.Form):
    """Generic CSV: which column holds what; Fatebook: whose forecasts. The choices come
    from the stored (bounded) header and names, so a posted value must be one of them."""

    def __init__(self, *args, header: list[str], columns: dict, names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— none —"), *((h, h) for h in header if h)]
        if header:
            for role in ROLES:
                self.fields[role] = forms.ChoiceField(
                    label=ROLE_LABELS[role],
                    choices=choices,
                    required=False,
                    initial=columns.get(role, ""),
                )
            self.fields["probability_scale"] = forms.ChoiceField(
                label="Probabilities are",
                choices=[
                    ("auto", "Detected (0–1 unless a value is above 1 or has %)"),
                    ("unit", "0–1"),
                    ("percent", "Per cent (0–100)"),
                ],
                required=False,
            )
        if names:
            self.fields["fatebook_name"] = forms.ChoiceField(
                label="Your name in Fatebook", choices=[(n, n) for n in names]
            )


def _upload(request, token: str) -> ImportUpload:
    """The user's upload for `token`, or 404 (another account's, expired or cancelled)."""
    upload = (
        ImportUpload.objects.filter(token=token[:64], owner=request.user)
        .select_related("owner")
        .first()
    )
    if upload is None or upload.expires_at <= timezone.now():
        raise Http404(MSG_EXPIRED)
    return upload


def _mapping_form(upload: ImportUpload, summary: StoredSummary, data=None) -> MappingForm | None:
    header = summary.data.get("header") or []
    names = summary.data.get("fatebook_names") or []
    if upload.state != State.CHECKED or not (header or names):
        return None
    columns = summary.data.get("columns") or {}
    initial = {**columns, "probability_scale": upload.probability_scale}
    return MappingForm(data, initial=initial, header=header, columns=columns, names=names)


def _render_upload(request, form, status=200, error="") -> HttpResponse:
    context = {
        "nav": "list",
        "form": form,
        "limit": _limit(),
        "error": error,
        "pending": jobs.pending(request.user).order_by("created_at"),
        "max_pending": settings.FALSIFIABLE_MAX_PENDING_IMPORTS,
    }
    return render(request, "reports/import.html", context, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """The upload form. Oversized requests are refused before the body is read."""
    if request.method == "POST":
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > _limit() + FORM_OVERHEAD:
            message = MSG_TOO_LARGE.format(limit=filesizeformat(_limit()))
            return _render_upload(request, UploadForm(), status=413, error=message)
    return _import_upload(request)


@csrf_protect
def _import_upload(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_upload(request, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        too_large = any(MSG_TOO_LARGE[:20] in e for e in form.errors.get("file", []))
        return _render_upload(request, form, status=413 if too_large else 200)
    too_many = jobs.too_many_message(request.user)  # before storing anything
    if too_many:
        form.add_error("file", too_many)
        return _render_upload(request, form)
    file = form.cleaned_data["file"]
    try:
        upload = jobs.create_upload(
            request.user,
            file,
            name=Path(file.name or "upload").name,
            fmt=form.cleaned_data["format"],
            fatebook_name=form.cleaned_data["fatebook_name"],
        )
    except jobs.TooManyPending as exc:  # a parallel upload took the last place
        form.add_error("file", str(exc))
        return _render_upload(request, form)
    except UnsafeImportDirectory:
        logger.exception("the import upload directory is not private")
        form.add_error("file", MSG_STORAGE)
        return _render_upload(request, form, status=503)
    return redirect("reports:import_preview", token=upload.token)


def _render_preview(request, upload: ImportUpload, *, mapping=None, status=200, partial=False):
    summary = StoredSummary(upload.summary)
    context = {
        "nav": "list",
        "upload": upload,
        "summary": summary,
        "mapping": mapping or _mapping_form(upload, summary),
        "what": "import" if upload.state == State.IMPORTING else "check",
    }
    template = "reports/import_preview.html" + ("#status" if partial else "")
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    """What the file would import (counts, the first predictions, the problems), or how
    far its job has got. POST changes the column mapping (generic CSV) or the Fatebook
    name, and checks the file again."""
    upload = _upload(request, token)
    if request.method == "POST":
        form = _mapping_form(upload, StoredSummary(upload.summary), request.POST)
        if form is None:
            return redirect("reports:import_preview", token=upload.token)
        if not form.is_valid():
            return _render_preview(request, upload, mapping=form)
        data = form.cleaned_data
        if "question" in form.fields:  # the generic CSV's column mapping
            upload.columns = {role: data.get(role, "") for role in ROLES}
            scale = data.get("probability_scale")
            upload.probability_scale = scale if scale in ("unit", "percent") else "auto"
            upload.format = "generic"
        if data.get("fatebook_name"):
            upload.fatebook_name = data["fatebook_name"]
        upload.save(update_fields=["columns", "probability_scale", "format", "fatebook_name"])
        jobs.start(upload, dry_run=True)
        return redirect("reports:import_preview", token=upload.token)
    return _render_preview(request, upload)


@require_GET
def import_status(request: HttpRequest, token: str) -> HttpResponse:
    """The page's status block alone: htmx polls it while a job runs."""
    return _render_preview(request, _upload(request, token), partial=True)


@require_POST
def import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Imports the checked file in one transaction: small files at once (then the list,
    or the problems again with 422), large ones by a job (then its progress)."""
    upload = _upload(request, token)
    if upload.state == State.CHECKED and not StoredSummary(upload.summary).ok:
        return _render_preview(request, upload, status=422)
    if not jobs.begin_import(upload):
        return redirect("reports:import_preview", token=upload.token)
    upload.refresh_from_db()
    if upload.state == State.IMPORTED:
        messages.success(request, StoredSummary(upload.summary).sentence)
        return redirect("predictions:list")
    if upload.state == State.CHECKED:  # the import found what the check did not
        return _render_preview(request, upload, status=422)
    return redirect("reports:import_preview", token=upload.token)


@require_POST
def import_retry(request: HttpRequest, token: str) -> HttpResponse:
    """Runs an interrupted job again (idempotent: rows already imported are skipped)."""
    upload = _upload(request, token)
    jobs.retry(upload)
    return redirect("reports:import_preview", token=upload.token)


@require_POST
def import_cancel(request: HttpRequest, token: str) -> HttpResponse:
    upload = _upload(request, token)
    if not jobs.cancel(upload):
        messages.error(request, MSG_BUSY)
        return redirect("reports:import_preview", token=upload.token)
    messages.info(request, "Import cancelled; the uploaded file was deleted.")
    return redirect("reports:import_upload")
