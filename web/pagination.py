"""One page of a list, and the query string its page links keep."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 25


def paginate(request: HttpRequest, items, per_page: int = PAGE_SIZE) -> dict:
    """The context templates/includes/pagination.html needs: the requested page of
    `items` (the last page for a number past the end) and the other query parameters,
    so that turning a page keeps the filters."""
    page: Page = Paginator(items, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    query = params.urlencode()
    return {"page": page, "page_query": f"{query}&" if query else ""}
