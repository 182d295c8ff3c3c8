"""The kinds of mail the site sends on its own, each of which a user can turn off.

Verification links and password resets are not listed: they are sent only when the user
asks for them. A new kind of mail is added here first; see notifications/schedule.py
for the rest of the extension point.
"""

from django.db import models


class MailKind(models.TextChoices):
    DUE_DIGEST = (
        "due_digest",
        "Predictions due to be resolved (a digest when they reach their date)",
    )
    STALE_REMINDER = "stale_reminder", "Open predictions you have not forecast on for two weeks"
    GROUP_DIGEST = (
        "group_digest",
        "Activity on questions you own, forecast on or that are shared with your groups "
        "(a daily digest)",
    )

    @property
    def short_label(self) -> str:
        return SHORT_LABELS[self]


SHORT_LABELS = {
    MailKind.DUE_DIGEST: "due-for-resolution digests",
    MailKind.STALE_REMINDER: "two-week reminders about open predictions",
    MailKind.GROUP_DIGEST: "daily activity digests",
}
