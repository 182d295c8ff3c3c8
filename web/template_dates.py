"""The `date` template filter, made safe for any stored year (a template builtin, so it
replaces Django's own in every template: config/settings.py TEMPLATES).

Django's filter converts an aware datetime to the current time zone first, and Python
cannot represent 31 December 9999 23:00 UTC in UTC+14 nor 1 January year 1 00:00 UTC
in UTC−11: the page would answer 500 on a row the database holds. Such an instant is
shown in UTC instead, as stored.
"""

from datetime import datetime

from django import template
from django.template import defaultfilters
from django.utils import timezone

register = template.Library()


def local_or_utc(value: datetime) -> datetime:
    """`value` in the current time zone, or as it is when that is past the calendar."""
    if not isinstance(value, datetime) or timezone.is_naive(value):
        return value
    try:
        return timezone.localtime(value)
    except OverflowError:
        return value


@register.filter(is_safe=False)
def date(value, arg=None):
    """Django's `date` filter on `value` in the current time zone (see the module)."""
    return defaultfilters.date(local_or_utc(value), arg)
