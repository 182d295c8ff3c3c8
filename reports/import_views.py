"""Import from a file: upload → preview (nothing written) → confirm (all or nothing).

The upload is copied in chunks to a private temporary file named by a random token;
the token is kept in the uploader's session only, so another user's (or an old) token
answers 404. The file is deleted after the import, on cancel, or after a day.

Size: a request whose Content-Length is over FALSIFIABLE_MAX_UPLOAD_BYTES is refused
(413) before Django reads the body; that is why the upload view is CSRF-exempt and
checks the token itself afterwards (`csrf_protect` on the inner view), the pattern
Django documents for custom upload handling. Django's own limits still apply:
DATA_UPLOAD_MAX_MEMORY_SIZE counts the form fields but not the file, and files over
FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to disk rather than memory.
"""

import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from reports.imports import FORMAT_CHOICES, FORMAT_LABELS, ImportOptions, run_import
from reports.imports.generic_csv import ROLE_LABELS, ROLES

SESSION_KEY = "falsifiable_imports"
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small fields beside the file
STALE_SECONDS = 24 * 60 * 60
CHOICES = [(name, FORMAT_LABELS[name]) for name in FORMAT_CHOICES]
MSG_TOO_LARGE = "The file is larger than {limit}; split it or ask the site's administrator."
MSG_EMPTY_UPLOAD = "The file is empty (0 bytes)."
MSG_EXPIRED = "That upload has expired or belongs to another session; upload the file again."


def _limit() -> int:
    return settings.FALSIFIABLE_MAX_UPLOAD_BYTES


def _upload_dir() -> Path:
    configured = settings.FALSIFIABLE_IMPORT_DIR
    path = Path(configured) if configured else Path(tempfile.gettempdir()) / "falsifiable-imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _remove_stale(directory: Path) -> None:
    cutoff = time.time() - STALE_SECONDS
    for path in directory.glob("*.upload"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


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
    """Generic CSV: which column holds what; Fatebook: whose forecasts."""

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


def _entries(request: HttpRequest) -> dict:
    return request.session.get(SESSION_KEY, {})


def _entry(request: HttpRequest, token: str) -> dict:
    """This session's upload for `token`, or 404 (another user's token included)."""
    entry = _entries(request).get(token)
    if not entry or entry.get("user") != request.user.pk:
        raise Http404(MSG_EXPIRED)
    path = _upload_dir() / f"{token}.upload"
    if not path.exists():
        _forget(request, token)
        raise Http404(MSG_EXPIRED)
    return {**entry, "path": path}


def _forget(request: HttpRequest, token: str) -> None:
    entries = _entries(request)
    if entries.pop(token, None) is not None:
        request.session[SESSION_KEY] = entries
    (_upload_dir() / f"{token}.upload").unlink(missing_ok=True)


def _options(entry: dict) -> ImportOptions:
    return ImportOptions(
        format=entry["format"],
        fatebook_name=entry.get("fatebook_name", ""),
        columns=entry.get("columns", {}),
        probability_scale=entry.get("probability_scale", "auto"),
    )


def _render_upload(request, form, status=200, error="") -> HttpResponse:
    context = {"nav": "list", "form": form, "limit": _limit(), "error": error}
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
    directory = _upload_dir()
    _remove_stale(directory)
    token = secrets.token_urlsafe(24)
    upload = form.cleaned_data["file"]
    with open(directory / f"{token}.upload", "xb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    entries = _entries(request)
    entries[token] = {
        "user": request.user.pk,
        "name": Path(upload.name or "upload").name[:200],
        "size": upload.size,
        "format": form.cleaned_data["format"],
        "fatebook_name": form.cleaned_data["fatebook_name"],
    }
    request.session[SESSION_KEY] = entries
    return redirect("reports:import_preview", token=token)


def _preview(request: HttpRequest, token: str, entry: dict, result=None, status=200):
    if result is None:
        with open(entry["path"], "rb") as binary:
            result = run_import(binary, owner=request.user, options=_options(entry), dry_run=True)
    mapping = None
    if result.header or result.fatebook_names:
        initial = {**result.columns, "probability_scale": entry.get("probability_scale", "auto")}
        mapping = MappingForm(
            initial=initial,
            header=result.header,
            columns=result.columns,
            names=result.fatebook_names,
        )
    context = {
        "nav": "list",
        "token": token,
        "entry": entry,
        "result": result,
        "summary": result.summary,
        "sentence": result.summary.sentence(dry_run=True) if result.summary else "",
        "mapping": mapping,
        "format_label": FORMAT_LABELS.get(result.format or "", "unknown"),
    }
    return render(request, "reports/import_preview.html", context, status=status)


@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    """What the file would import: counts, the first predictions, every problem.
    POST changes the column mapping (generic CSV) or the Fatebook name."""
    entry = _entry(request, token)
    if request.method == "POST":
        entries = _entries(request)
        stored = entries[token]
        if "question" in request.POST:  # the generic CSV's column mapping
            stored["columns"] = {role: request.POST.get(role, "")[:200] for role in ROLES}
            scale = request.POST.get("probability_scale")
            stored["probability_scale"] = scale if scale in ("unit", "percent") else "auto"
            stored["format"] = "generic"
        if request.POST.get("fatebook_name"):
            stored["fatebook_name"] = request.POST["fatebook_name"][:200]
        request.session[SESSION_KEY] = entries
        return redirect("reports:import_preview", token=token)
    return _preview(request, token, entry)


@require_POST
def import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Imports the previewed file in one transaction; on any problem nothing is written
    and the preview is shown again with the problems (422)."""
    entry = _entry(request, token)
    with open(entry["path"], "rb") as binary:
        result = run_import(binary, owner=request.user, options=_options(entry))
    if not result.ok:
        return _preview(request, token, entry, result=result, status=422)
    _forget(request, token)
    assert result.summary is not None  # an import without problems has written its summary
    messages.success(request, result.summary.sentence())
    return redirect("predictions:list")


@require_POST
def import_cancel(request: HttpRequest, token: str) -> HttpResponse:
    _entry(request, token)
    _forget(request, token)
    messages.info(request, "Import cancelled; the uploaded file was deleted.")
    return redirect("reports:import_upload")
