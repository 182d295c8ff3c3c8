from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.inbox import badge_text, unread_count


def unread(request: HttpRequest) -> dict:
    """The unread count in the navigation, lazy like the due count
    (predictions.context_processors.navigation): only pages that render it count."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_unread": SimpleLazyObject(lambda: badge_text(unread_count(user)))}
