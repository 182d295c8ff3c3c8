from django.http import HttpRequest

from predictions.models import Prediction
from predictions.services import profile_for


def navigation(request: HttpRequest) -> dict:
    """The due count shown in the navigation on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    today = profile_for(user).today()
    return {"nav_due_count": Prediction.objects.owned_by(user).due(today).count()}
