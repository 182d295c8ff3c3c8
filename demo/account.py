"""The demo user: its login, display name and time zone, reset on every load."""

import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model

from predictions.services import profile_for

USERNAME = settings.DEMO_USERNAME
PASSWORD = settings.DEMO_PASSWORD
DISPLAY_NAME = "Demo Forecaster"
TIME_ZONE = "Europe/Berlin"
LOGIN_URL = "http://127.0.0.1:8000/"

BERLIN = zoneinfo.ZoneInfo(TIME_ZONE)


def demo_user():
    """The demo user, created if missing, with its password and profile restored."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=USERNAME)
    user.set_password(PASSWORD)
    user.is_active = True
    user.save()
    profile = profile_for(user)
    profile.display_name = DISPLAY_NAME
    profile.timezone = TIME_ZONE
    profile.full_clean()
    profile.save()
    return user
