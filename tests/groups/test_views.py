"""The groups pages: 404 for everyone but members on every group URL, 403 with the
rule's message for members lacking the role, and what each page shows."""

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import quote

from django.test import TestCase
from django.urls import URLPattern, reverse
from django.utils import timezone
from django.utils.html import escape

from groups import roles, urls
from groups.models import Group, Membership
from tests.groups.helpers import Cast
from tests.predictions.factories import ForecastFactory, PredictionFactory, UserFactory

SCRIPT = "<script>alert('x')</script>"

# Every URL of one group: (name, method, data, who may: the roles for which it acts).
# `member` in the arguments is the plain member's membership, `admin` the admin's.
GROUP_URLS = [
    ("detail", "get", None, {"owner", "admin", "member"}),
    ("edit", "get", None, {"owner", "admin"}),
    ("edit", "post", {"name": "Renamed", "description": ""}, {"owner", "admin"}),
    ("leave", "get", None, {"owner", "admin", "member"}),
    ("delete", "get", None, {"owner"}),
    ("delete", "post", {}, {"owner"}),
    ("export_csv", "get", None, {"owner", "admin"}),
    ("export_json", "get", None, {"owner", "admin"}),
    ("invite_new", "post", {}, {"owner", "admin"}),
    ("invite_off", "post", {}, {"owner", "admin"}),
    ("member_remove", "post", {}, {"owner", "admin"}),
    ("member_role", "post", {"role": "admin"}, {"owner"}),
    ("member_owner", "post", {}, {"owner"}),
    ("calibration_sharing", "post", {"on": "1"}, {"owner", "admin", "member"}),
    ("member_calibration", "get", None, {"owner", "admin", "member"}),
]
REFUSALS = {
    roles.MSG_NOT_ALLOWED,
    roles.MSG_OWNER_ONLY,
    roles.MSG_CANNOT_REMOVE,
    roles.MSG_CANNOT_CHANGE_ROLE,
}
# Their URLs act on someone: the plain member, or (handing ownership on) the admin.
TARGET = {
    "member_remove": "member_m",
    "member_role": "member_m",
    "member_owner": "admin_m",
    "member_calibration": "member_m",
}


def group_patterns() -> set[str]:
    return {
        p.name
        for p in urls.urlpatterns
        if isinstance(p, URLPattern) and "pk" in p.pattern.converters and p.name
    }


class Base(TestCase):
    def setUp(self):
        self.cast = Cast()
        self.group = self.cast.group

    def url(self, name: str, cast: Cast | None = None) -> str:
        cast = cast or self.cast
        args = [cast.group.pk]
        if name in TARGET:
            args.append(getattr(cast, TARGET[name]).pk)
        return reverse(f"groups:{name}", args=args)

    def as_user(self, user):
        self.client.force_login(user)

    def state(self) -> tuple:
        group = Group.objects.filter(pk=self.group.pk).first()
        if group is None:
            return (None,)
        memberships = sorted(group.memberships.values_list("user_id", "role", "shows_calibration"))
        return (group.name, group.invite_token, memberships)


class AccessTests(Base):
    def test_the_table_names_every_url_of_a_group(self):
        assert {name for name, *_ in GROUP_URLS} == group_patterns()

    def test_outsiders_and_former_members_get_404_and_change_nothing(self):
        before = self.state()
        for user in (self.cast.outsider, self.cast.former):
            self.as_user(user)
            for name, method, data, _ in GROUP_URLS:
                response = getattr(self.client, method)(self.url(name), data)
                assert response.status_code == 404, (user, name, method)
        assert self.state() == before

    def test_anonymous_visitors_are_sent_to_log_in(self):
        before = self.state()
        for name, method, data, _ in GROUP_URLS:
            url = self.url(name)
            response = getattr(self.client, method)(url, data)
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("login")), name
        assert self.state() == before

    def test_members_lacking_the_role_get_403_with_the_reason_and_change_nothing(self):
        for role, membership in self.cast.by_role().items():
            self.as_user(membership.user)
            for name, method, data, allowed in GROUP_URLS:
                if role in allowed:
                    continue
                before = self.state()
                response = getattr(self.client, method)(self.url(name), data)
                assert response.status_code == 403, (role, name, method)
                message = response.context["message"]
                assert message in REFUSALS, (role, name)
                assert escape(message) in response.content.decode()
                assert self.state() == before, (role, name)

    def test_those_with_the_role_act(self):
        # One fresh cast per action: several of them change who may do the next.
        for name, method, data, allowed in GROUP_URLS:
            for role in sorted(allowed):
                cast = Cast(name=f"{name} {role}")
                self.client.force_login(cast.by_role()[role].user)
                response = getattr(self.client, method)(self.url(name, cast), data)
                assert response.status_code in (200, 302), (role, name, method)

    def test_a_membership_of_another_group_in_the_url_is_a_404(self):
        self.as_user(self.cast.owner)
        stranger = self.cast.other_m
        for name in TARGET:
            url = reverse(f"groups:{name}", args=[self.group.pk, stranger.pk])
            method = self.client.get if name == "member_calibration" else self.client.post
            assert method(url, {"role": "admin"}).status_code == 404, name
        assert Membership.objects.filter(pk=stranger.pk, role="owner").exists()

    def test_an_id_too_large_for_the_database_is_a_404(self):
        self.as_user(self.cast.owner)
        big = 10**30
        assert self.client.get(f"/groups/{big}/").status_code == 404
        assert self.client.post(f"/groups/{self.group.pk}/members/{big}/remove/").status_code == 404

    def test_changes_take_no_get(self):
        self.as_user(self.cast.owner)
        for name, method, _, _ in GROUP_URLS:
            if method == "post" and name not in ("edit", "delete"):
                assert self.client.get(self.url(name)).status_code == 405, name

    def test_a_post_without_the_csrf_token_is_refused(self):
        self.client = self.client_class(enforce_csrf_checks=True)
        self.as_user(self.cast.owner)
        before = self.state()
        assert self.client.post(self.url("invite_off")).status_code == 403
        assert self.state() == before


class ListAndCreateTests(Base):
    def test_lists_your_groups_with_role_members_and_open_questions(self):
        open_one = PredictionFactory(owner=self.cast.member)
        resolved = PredictionFactory(
            owner=self.cast.member, status="resolved", outcome=True, known_at=timezone.now()
        )
        for prediction in (open_one, resolved):
            prediction.shared_with.add(self.group)
        self.as_user(self.cast.admin)
        response = self.client.get(reverse("groups:list"))
        rows = response.context["memberships"]
        assert [(m.group.name, m.role, m.member_count, m.open_count) for m in rows] == [
            ("Forecasters", "admin", 3, 1)
        ]
        self.as_user(self.cast.outsider)
        rows = self.client.get(reverse("groups:list")).context["memberships"]
        assert [(m.group.name, m.member_count, m.open_count) for m in rows] == [("Elsewhere", 1, 0)]

    def test_create(self):
        user = UserFactory()
        self.as_user(user)
        response = self.client.post(reverse("groups:list"), {"name": "Club", "description": ""})
        group = Group.objects.get(name="Club")
        self.assertRedirects(response, reverse("groups:detail", args=[group.pk]))
        assert group.memberships.get().role == "owner"

    def test_bad_names_are_refused_next_to_the_field(self):
        self.as_user(UserFactory())
        count = Group.objects.count()
        for data, field in [
            ({"name": ""}, "name"),
            ({"name": "x" * 81}, "name"),
            ({"name": "a\x00b"}, "name"),
            ({"name": "ok", "description": "a\x00b"}, "description"),
            ({"name": "ok", "description": "d" * 2001}, "description"),
        ]:
            response = self.client.post(reverse("groups:list"), data)
            assert response.status_code == 400
            assert response.context["form"].errors[field], data
            assert 'class="errorlist' in response.content.decode()
        assert Group.objects.count() == count

    def test_groups_link_in_the_navigation_for_logged_in_users_only(self):
        link = f'href="{reverse("groups:list")}"'
        assert link not in self.client.get(reverse("login")).content.decode()
        self.as_user(self.cast.member)
        assert link in self.client.get(reverse("predictions:list")).content.decode()


class DetailTests(Base):
    def setUp(self):
        super().setUp()
        self.as_user(self.cast.member)

    def share(self, owner, **kwargs):
        prediction = PredictionFactory(owner=owner, **kwargs)
        prediction.shared_with.add(self.group)
        return prediction

    def test_open_questions_due_soonest_first_with_only_the_viewers_forecast(self):
        today = timezone.now().date()
        later = self.share(self.cast.owner, resolve_by=today + dt.timedelta(days=40))
        sooner = self.share(self.cast.admin, resolve_by=today + dt.timedelta(days=3))
        PredictionFactory(owner=self.cast.owner, question="Not shared at all")
        elsewhere = PredictionFactory(owner=self.cast.outsider, question="Shared elsewhere")
        elsewhere.shared_with.add(self.cast.other)
        ForecastFactory(prediction=later, author=self.cast.owner, probability=Decimal("0.830"))
        ForecastFactory(prediction=sooner, author=self.cast.admin, probability=Decimal("0.170"))
        ForecastFactory(prediction=later, author=self.cast.member, probability=Decimal("0.410"))
        # The question's latest forecast is the owner's again: still not shown.
        after = timezone.now() + dt.timedelta(minutes=1)
        ForecastFactory(
            prediction=later, author=self.cast.owner, probability=Decimal("0.880"), created_at=after
        )
        response = self.client.get(self.url("detail"))
        rows = list(response.context["page"].object_list)
        assert rows == [sooner, later]
        text = response.content.decode()
        assert "41%" in text
        assert "83%" not in text
        assert "88%" not in text
        assert "17%" not in text
        assert "Not shared at all" not in text
        assert "Shared elsewhere" not in text

    def test_a_multiple_choice_question_shows_the_viewers_leading_option(self):
        from predictions.models import Option, OptionProbability

        question = self.share(self.cast.owner, kind="multiple_choice")
        early, late = (
            Option.objects.create(prediction=question, label=label, position=i)
            for i, label in enumerate(["Early", "Late"])
        )
        for author, (p_early, p_late) in [
            (self.cast.member, ("0.350", "0.650")),
            (self.cast.owner, ("0.900", "0.100")),  # later: the question's latest forecast
        ]:
            forecast = ForecastFactory(prediction=question, author=author, probability=None)
            OptionProbability.objects.create(forecast=forecast, option=early, probability=p_early)
            OptionProbability.objects.create(forecast=forecast, option=late, probability=p_late)
        text = self.client.get(self.url("detail")).content.decode()
        assert "Late 65%" in text
        assert "90%" not in text

    def test_recently_resolved_are_the_last_ten_newest_first(self):
        start = timezone.now() - dt.timedelta(days=30)
        resolved = []
        for day in range(12):
            at = start + dt.timedelta(days=day)
            resolved.append(
                self.share(
                    self.cast.owner,
                    question=f"Settled {day}",
                    status="resolved",
                    outcome=day % 2 == 0,
                    known_at=at,
                    resolved_at=at,
                )
            )
        self.share(self.cast.owner, question="Still open")
        shown = self.client.get(self.url("detail")).context["resolved"]
        assert shown == resolved[::-1][:10]

    def test_members_with_display_names_roles_and_joined_dates(self):
        from predictions.models import Profile

        Profile.objects.create(user=self.cast.admin, display_name="Grace " + SCRIPT)
        Membership.objects.filter(pk=self.cast.owner_m.pk).update(
            joined_at=dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC)
        )
        response = self.client.get(self.url("detail"))
        names = [(m.name, m.membership.role) for m in response.context["members"]]
        assert names == [
            (self.cast.owner.username, "owner"),
            ("Grace " + SCRIPT, "admin"),
            (self.cast.member.username, "member"),
        ]
        text = response.content.decode()
        assert "5 Mar 2026" in text
        assert SCRIPT not in text
        assert "Grace &lt;script&gt;" in text

    def test_the_invitation_link_shows_to_the_owner_and_admins_only(self):
        token = self.group.invite_token
        assert token not in self.client.get(self.url("detail")).content.decode()
        for user in (self.cast.owner, self.cast.admin):
            self.as_user(user)
            text = self.client.get(self.url("detail")).content.decode()
            assert reverse("groups:join", args=[token]) in text
            assert "Revoke link" in text
            assert "Turn off link" in text

    def test_member_actions_show_as_the_rules_say(self):
        self.as_user(self.cast.admin)
        text = self.client.get(self.url("detail")).content.decode()
        remove = reverse("groups:member_remove", args=[self.group.pk, self.cast.member_m.pk])
        assert remove in text
        for membership in (self.cast.owner_m, self.cast.admin_m):
            url = reverse("groups:member_remove", args=[self.group.pk, membership.pk])
            assert url not in text
        assert "Make admin" not in text
        assert "Make owner" not in text
        self.as_user(self.cast.member)
        text = self.client.get(self.url("detail")).content.decode()
        assert "Remove" not in text
        assert "Make admin" not in text
        assert "Edit" not in text

    def test_a_leaderboard_section_with_its_period_switch(self):
        text = self.client.get(self.url("detail")).content.decode()
        assert re.search(r"<h2[^>]*>Leaderboard</h2>", text)
        assert 'id="leaderboard-period"' in text
        assert "nothing to rank" in text  # no question of the group is resolved yet

    def test_names_with_script_are_escaped_on_every_page(self):
        Group.objects.filter(pk=self.group.pk).update(name=SCRIPT, description=SCRIPT)
        self.as_user(self.cast.owner)
        token = Group.objects.get(pk=self.group.pk).invite_token
        pages = [
            self.url(name) for name in ("detail", "edit", "leave", "delete", "member_calibration")
        ]
        pages += [reverse("groups:list"), reverse("groups:join", args=[token])]
        for page in pages:
            text = self.client.get(page).content.decode()
            assert SCRIPT not in text, page
            assert "&lt;script&gt;" in text, page
        self.as_user(self.cast.member)
        text = self.client.get(self.url("delete")).content.decode()
        assert SCRIPT not in text
        assert "&lt;script&gt;" in text


class MemberActionTests(Base):
    def test_leave_asks_first_then_leaves(self):
        self.as_user(self.cast.member)
        text = self.client.get(self.url("leave")).content.decode()
        assert "Leave the group" in text
        response = self.client.post(self.url("leave"))
        self.assertRedirects(response, reverse("groups:list"))
        assert not Membership.objects.filter(pk=self.cast.member_m.pk).exists()
        assert self.client.get(self.url("detail")).status_code == 404

    def test_the_owner_is_told_to_hand_ownership_on(self):
        self.as_user(self.cast.owner)
        page = self.client.get(self.url("leave")).content.decode()
        assert roles.MSG_OWNER_LEAVES in page
        assert "Leave the group" not in page
        response = self.client.post(self.url("leave"), follow=True)
        assert roles.MSG_OWNER_LEAVES in response.content.decode()
        assert Membership.objects.filter(pk=self.cast.owner_m.pk, role="owner").exists()

    def test_remove_and_the_removed_member_loses_the_group(self):
        self.as_user(self.cast.admin)
        response = self.client.post(self.url("member_remove"), follow=True)
        assert "is no longer a member" in response.content.decode()
        self.as_user(self.cast.member)
        assert self.client.get(self.url("detail")).status_code == 404

    def test_hand_ownership_on(self):
        self.as_user(self.cast.owner)
        self.client.post(self.url("member_owner"))
        roles_now = dict(self.group.memberships.values_list("user_id", "role"))
        assert roles_now[self.cast.admin.pk] == "owner"
        assert roles_now[self.cast.owner.pk] == "admin"

    def test_a_bad_role_is_a_message(self):
        self.as_user(self.cast.owner)
        url = self.url("member_role")
        response = self.client.post(url, {"role": "owner"}, follow=True)
        assert "Choose admin or member." in response.content.decode()
        assert Membership.objects.get(pk=self.cast.member_m.pk).role == "member"

    def test_delete_keeps_the_predictions(self):
        prediction = PredictionFactory(owner=self.cast.member)
        prediction.shared_with.add(self.group)
        self.as_user(self.cast.owner)
        assert (
            "1 question shared with it is unshared"
            in self.client.get(self.url("delete")).content.decode()
        )
        self.client.post(self.url("delete"))
        assert not Group.objects.filter(pk=self.group.pk).exists()
        prediction.refresh_from_db()
        assert prediction.shared_with.count() == 0

    def test_edit_refuses_an_empty_name_without_showing_it_as_the_name(self):
        self.as_user(self.cast.admin)
        response = self.client.post(self.url("edit"), {"name": " ", "description": ""})
        assert response.status_code == 400
        assert response.context["form"].errors["name"]
        assert response.context["group"].name == "Forecasters"
        self.group.refresh_from_db()
        assert self.group.name == "Forecasters"


class JoinTests(Base):
    def join_url(self, token=None):
        return reverse("groups:join", args=[token or self.group.invite_token])

    def test_join_shows_the_name_then_joins_once(self):
        user = UserFactory()
        self.as_user(user)
        text = self.client.get(self.join_url()).content.decode()
        assert "Join Forecasters" in text
        assert "Join the group" in text
        response = self.client.post(self.join_url())
        self.assertRedirects(response, self.url("detail"))
        response = self.client.post(self.join_url(), follow=True)
        assert "already a member" in response.content.decode()
        assert self.group.memberships.filter(user=user).count() == 1
        assert self.group.memberships.get(user=user).role == "member"

    def test_anonymous_visitors_log_in_and_come_back(self):
        url = self.join_url()
        response = self.client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"
        assert self.client.post(url).status_code == 302
        assert self.group.memberships.count() == 3

    def test_a_newcomer_signs_up_from_the_link_and_comes_back(self):
        url = self.join_url()
        login_page = self.client.get(self.client.get(url)["Location"]).content.decode()
        signup = f"{reverse('signup')}?next={quote(url)}"
        assert f'href="{signup}"' in login_page
        assert f'name="next" value="{url}"' in self.client.get(signup).content.decode()
        data = {
            "username": "newcomer",
            "password1": "a long enough pass phrase 42",
            "password2": "a long enough pass phrase 42",
            "timezone": "UTC",
            "next": url,
        }
        response = self.client.post(reverse("signup"), data)
        assert response["Location"] == url
        assert self.client.post(url).status_code == 302
        assert self.group.memberships.filter(user__username="newcomer").exists()

    def test_sign_up_goes_to_no_other_site(self):
        data = {
            "username": "newcomer",
            "password1": "a long enough pass phrase 42",
            "password2": "a long enough pass phrase 42",
            "timezone": "UTC",
            "next": "https://evil.example/groups/join/x/",
        }
        response = self.client.post(reverse("signup"), data)
        assert response["Location"] == reverse("predictions:create")

    def test_unknown_revoked_and_turned_off_links_are_404(self):
        user = UserFactory()
        self.as_user(user)
        old = self.group.invite_token
        assert self.client.get(self.join_url("not-a-real-token")).status_code == 404
        self.client.force_login(self.cast.admin)
        self.client.post(self.url("invite_new"))
        self.as_user(user)
        for method in ("get", "post"):
            assert getattr(self.client, method)(self.join_url(old)).status_code == 404
        new = Group.objects.get(pk=self.group.pk).invite_token
        assert new != old
        self.client.force_login(self.cast.owner)
        self.client.post(self.url("invite_off"))
        self.as_user(user)
        assert self.client.post(self.join_url(new)).status_code == 404
        assert not self.group.memberships.filter(user=user).exists()

    def test_a_token_that_is_no_slug_is_the_resolvers_404(self):
        self.as_user(UserFactory())
        assert self.client.get("/groups/join/a%00b/").status_code == 404

    def test_a_former_member_may_join_again_as_a_plain_member(self):
        self.as_user(self.cast.former)
        self.client.post(self.join_url())
        assert self.group.memberships.get(user=self.cast.former).role == "member"


class QueryCountTests(Base):
    """The pages cost the same number of queries however many questions and members."""

    def add(self, n: int) -> None:
        for _ in range(n):
            user = UserFactory()
            Membership.objects.create(group=self.group, user=user)
            prediction = PredictionFactory(owner=user)
            prediction.shared_with.add(self.group)
            ForecastFactory(prediction=prediction, author=self.cast.member)
            settled = PredictionFactory(
                owner=user, status="resolved", outcome=True, known_at=timezone.now()
            )
            settled.shared_with.add(self.group)

    def count(self, url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert self.client.get(url).status_code == 200
        return len(queries)

    def test_group_page_and_list(self):
        self.as_user(self.cast.member)
        self.add(1)
        self.count(self.url("detail"))  # the first visit makes the viewer's profile
        few = self.count(self.url("detail")), self.count(reverse("groups:list"))
        self.add(6)
        many = self.count(self.url("detail")), self.count(reverse("groups:list"))
        assert many == few
