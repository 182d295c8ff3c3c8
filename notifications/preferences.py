"""Which mails a user gets: every kind by default, unless they opted out of it.

Mail goes only to confirmed addresses (predictions.verification); `recipients_q` adds
both conditions to a query of users, so every job selects its recipients the same way.
"""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from notifications.kinds import MailKind
from notifications.models import MailOptOut
from predictions.verification import verified_email_q


def recipients_q(kind: MailKind) -> Q:
    """Active users with a confirmed address who have not opted out of `kind`."""
    opted_out = MailOptOut.objects.filter(user=OuterRef("pk"), kind=kind)
    return Q(is_active=True) & verified_email_q() & ~Q(Exists(opted_out))


def wanted_kinds(user) -> set[MailKind]:
    """The kinds of mail the user has not turned off."""
    off = set(MailOptOut.objects.filter(user=user).values_list("kind", flat=True))
    return {kind for kind in MailKind if kind.value not in off}


def opt_out(user, kind: MailKind) -> None:
    """Idempotent: a second click on the same link, or two at once, changes nothing."""
    try:
        with transaction.atomic():
            MailOptOut.objects.get_or_create(user=user, kind=kind)
    except IntegrityError:  # the same link clicked twice at once
        pass


def set_wanted(user, kinds: Iterable[MailKind]) -> None:
    """Turns on exactly `kinds` and turns off every other kind."""
    wanted = {MailKind(kind) for kind in kinds}
    with transaction.atomic():
        MailOptOut.objects.filter(user=user, kind__in=[k.value for k in wanted]).delete()
        for kind in set(MailKind) - wanted:
            opt_out(user, kind)
