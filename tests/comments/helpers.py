"""Shared set-up for the comment tests: an owner, a group member and an outsider."""

from groups.models import Group, Membership
from tests.predictions.factories import PredictionFactory, ProfileFactory, UserFactory

HTMX = {"HX-Request": "true"}
XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
ATTR_XSS = '"><img src=x onerror=alert(1)>'
ATTR_XSS_ESCAPED = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"


def people(test) -> None:
    """Sets owner, member, outsider, group and a prediction shared with the group."""
    test.owner = UserFactory(username="olive")
    test.member = UserFactory(username="mina")
    test.outsider = UserFactory(username="otto")
    ProfileFactory(user=test.owner, display_name="Olive Owner")
    ProfileFactory(user=test.member, display_name="Mina Member")
    test.group = Group.objects.create(name="Forecasters")
    for user in (test.owner, test.member):
        Membership.objects.create(group=test.group, user=user)
    test.prediction = PredictionFactory(owner=test.owner, question="GPT-4 this week")
    test.prediction.shared_with.add(test.group)
