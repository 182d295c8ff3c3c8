"""Opt-in calibration (decision 0030): a member's calibration over the group's questions,
shown to the group's other members only while that member opts in."""

import datetime as dt
from decimal import Decimal

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from groups.models import Membership
from predictions.models import Profile
from tests.groups.helpers import Cast
from tests.predictions.factories import ForecastFactory, PredictionFactory

SCRIPT = "<script>alert('x')</script>"


class OptInTests(TestCase):
    def setUp(self):
        self.cast = Cast()
        self.group = self.cast.group
        self.member_m = self.cast.member_m
        self.page = reverse("groups:member_calibration", args=[self.group.pk, self.member_m.pk])
        self.detail = reverse("groups:detail", args=[self.group.pk])
        self.toggle = reverse("groups:calibration_sharing", args=[self.group.pk])

    def resolved(self, owner, probability: str, outcome: bool, *, share_with=None):
        """A resolved question the plain member forecast `probability` on a day before."""
        now = timezone.now()
        question = PredictionFactory(
            owner=owner,
            status="resolved",
            outcome=outcome,
            known_at=now,
            resolved_at=now,
            created_at=now - dt.timedelta(days=3),
        )
        if share_with is not None:
            question.shared_with.add(share_with)
        ForecastFactory(
            prediction=question,
            author=self.cast.member,
            probability=Decimal(probability),
            created_at=now - dt.timedelta(days=2),
        )
        return question

    def test_off_by_default_no_link_and_a_404(self):
        membership = Membership.objects.create(group=self.cast.other, user=self.cast.member)
        assert membership.shows_calibration is False
        Membership.objects.filter(pk=self.member_m.pk).update(shows_calibration=False)
        self.client.force_login(self.cast.owner)
        assert self.page not in self.client.get(self.detail).content.decode()
        assert self.client.get(self.page).status_code == 404

    def test_counts_only_the_groups_questions_with_the_members_own_forecasts(self):
        owner = self.cast.owner
        # Shared with the group: counted, with the member's 90% (the owner said 10%).
        counted = self.resolved(owner, "0.900", True, share_with=self.group)
        ForecastFactory(
            prediction=counted,
            author=owner,
            probability=Decimal("0.100"),
            created_at=timezone.now() - dt.timedelta(days=2),
        )
        # The member's private question, and a question of another group they are in:
        # neither counts, whatever the member said there.
        self.resolved(self.cast.member, "0.900", False)
        Membership.objects.create(group=self.cast.other, user=self.cast.member)
        self.resolved(self.cast.outsider, "0.900", False, share_with=self.cast.other)
        self.client.force_login(self.cast.admin)
        response = self.client.get(self.page)
        assert response.status_code == 200
        numbers = response.context["numbers"]
        assert numbers.n_scored == 1
        # Brier of 90% on a yes: 0.01 (the owner's 10% would give 0.81).
        assert round(numbers.headline.brier, 4) == 0.01
        assert [(b.count, b.hits) for b in response.context["used_buckets"]] == [(1, 1)]
        text = response.content.decode()
        assert "0.010" in text
        assert 'class="inline-chart calibration-chart"' in text
        # The x axis names the member: it is not the viewer who said these.
        assert "You said" not in text
        assert " said →" in text

    def test_the_toggle_turns_it_on_and_off_at_once(self):
        Membership.objects.filter(pk=self.member_m.pk).update(shows_calibration=False)
        self.resolved(self.cast.owner, "0.800", True, share_with=self.group)
        self.client.force_login(self.cast.member)
        text = self.client.get(self.detail).content.decode()
        assert "Show my calibration to this group" in text
        response = self.client.post(self.toggle, {"on": "1"})
        assert response.status_code == 302
        assert Membership.objects.get(pk=self.member_m.pk).shows_calibration
        self.client.force_login(self.cast.owner)
        assert self.page in self.client.get(self.detail).content.decode()
        assert self.client.get(self.page).status_code == 200  # its numbers are now cached
        self.client.force_login(self.cast.member)
        self.client.post(self.toggle, {})
        assert not Membership.objects.get(pk=self.member_m.pk).shows_calibration
        self.client.force_login(self.cast.owner)
        assert self.page not in self.client.get(self.detail).content.decode()
        assert self.client.get(self.page).status_code == 404

    def test_the_toggle_is_one_members_own_and_per_group(self):
        elsewhere = Membership.objects.create(group=self.cast.other, user=self.cast.admin)
        self.client.force_login(self.cast.admin)
        self.client.post(self.toggle, {"on": "1"})
        assert Membership.objects.get(pk=self.cast.admin_m.pk).shows_calibration
        assert not Membership.objects.get(pk=elsewhere.pk).shows_calibration
        assert not Membership.objects.get(pk=self.cast.owner_m.pk).shows_calibration

    def test_the_viewers_own_numbers_are_never_served_for_the_member(self):
        # The owner's own dashboard under ?group= and the member's page must differ:
        # the cache is keyed by the member whose numbers they are.
        question = self.resolved(self.cast.owner, "0.900", True, share_with=self.group)
        ForecastFactory(
            prediction=question,
            author=self.cast.owner,
            probability=Decimal("0.300"),
            created_at=timezone.now() - dt.timedelta(days=2),
        )
        Membership.objects.filter(pk=self.cast.owner_m.pk).update(shows_calibration=True)
        self.client.force_login(self.cast.owner)
        own = self.client.get(reverse("reports:dashboard"), {"group": self.group.pk})
        assert round(own.context["numbers"].headline.brier, 4) == 0.49
        theirs = self.client.get(self.page).context["numbers"]
        assert round(theirs.headline.brier, 4) == 0.01
        mine = reverse("groups:member_calibration", args=[self.group.pk, self.cast.owner_m.pk])
        self.client.force_login(self.cast.member)
        assert round(self.client.get(mine).context["numbers"].headline.brier, 4) == 0.49

    def test_a_display_name_with_script_is_escaped(self):
        Profile.objects.update_or_create(user=self.cast.member, defaults={"display_name": SCRIPT})
        self.client.force_login(self.cast.owner)
        for url in (self.page, self.detail):
            text = self.client.get(url).content.decode()
            assert SCRIPT not in text
            assert "&lt;script&gt;" in text

    def test_an_empty_page_says_why(self):
        self.client.force_login(self.cast.owner)
        response = self.client.get(self.page)
        assert response.status_code == 200
        assert "has been resolved yet" in response.content.decode()
