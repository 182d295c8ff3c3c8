"""Which template an htmx request gets back."""

from django.http import HttpRequest


def wants_partial(request: HttpRequest) -> bool:
    """htmx swaps get fragments; boosted loads and history restores need whole pages."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.boosted and not htmx.history_restore_request


def partial_template(request: HttpRequest, template: str, partial: str) -> str:
    """`template#partial` for htmx swaps; the full page for everything else."""
    return f"{template}#{partial}" if wants_partial(request) else template
