"""How people are named to others: one rule for the pages inside the app, one for pages
anyone with a link may read."""

PUBLIC_FALLBACK = "A Falsifiable user"


def member_name(user) -> str:
    """Inside the app (group members, forecasters, comments, notifications): the
    profile's display name, else the user name, also for a user without a profile.
    Join `profile` in when naming many users."""
    profile = getattr(user, "profile", None)  # a missing profile raises AttributeError
    return (profile.display_name if profile is not None else "") or user.get_username()


def public_name(user) -> str:
    """On a shared link's page, which strangers may read: the display name only, never
    the user name (people log in with it)."""
    profile = getattr(user, "profile", None)
    return (profile.display_name if profile is not None else "") or PUBLIC_FALLBACK
