from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from predictions.models import Prediction
from predictions.services import profile_for


def navigation(request: HttpRequest) -> dict:
    """The due count shown in the navigation.

    Lazy: only pages that render the navigation (templates/base.html) count, once per
    response; htmx fragments and other templates cost no query.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def due_count() -> int:
        return Prediction.objects.owned_by(user).due(profile_for(user).today()).count()

    return {"nav_due_count": SimpleLazyObject(due_count)}
