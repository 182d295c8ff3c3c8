"""The demo account: idempotent, deterministic, and rich enough for every page.

Page-rendering checks for the demo account live with the views' tests.
"""

import datetime as dt
import zoneinfo
from decimal import Decimal
from io import StringIO

import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase

from comments.models import Comment
from demo.claims import WORDS, percent
from demo.group_questions import GROUP_NAME
from groups.models import Group, Membership
from predictions.models import (
    Forecast,
    Prediction,
    PredictionEdit,
    Profile,
    ResolutionEvent,
    Tag,
)
from predictions.probability import phrase_meaning
from tests.predictions.factories import PredictionFactory, TagFactory, UserFactory

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# Just before midnight UTC on New Year's Eve: already 1 January in Berlin, so any mix-up
# between the server's date and the demo user's date shows up in the due queue.
NOW = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)


def counts() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "profiles": Profile.objects.count(),
        "predictions": Prediction.objects.count(),
        "forecasts": Forecast.objects.count(),
        "tags": Tag.objects.count(),
        "resolution_events": ResolutionEvent.objects.count(),
        "edits": PredictionEdit.objects.count(),
        "groups": Group.objects.count(),
        "memberships": Membership.objects.count(),
        "comments": Comment.objects.count(),
    }


def final_forecast(prediction: Prediction) -> Forecast:
    """The last forecast not made after known-at (docs/design.md §4)."""
    on_time = [f for f in prediction.forecasts.all() if f.created_at <= prediction.known_at]
    return on_time[-1]


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@time_machine.travel(NOW, tick=False)
class LoadDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        # Someone else's data, which neither loading nor resetting may touch.
        cls.other = UserFactory(username="someone")
        cls.other_prediction = PredictionFactory(owner=cls.other)
        TagFactory(owner=cls.other, name="ai")
        cls.output = load()
        cls.user = get_user_model().objects.get(username="demo")

    def demo_predictions(self):
        return Prediction.objects.filter(owner=self.user).prefetch_related("forecasts")

    def test_prints_the_login(self):
        assert "Log in at http://127.0.0.1:8000/ as demo / falsifiable-demo" in self.output

    def test_account(self):
        assert self.user.check_password("falsifiable-demo")
        assert self.user.profile.display_name == "Demo Forecaster"
        assert self.user.profile.timezone == "Europe/Berlin"

    def test_second_run_duplicates_nothing(self):
        before = counts()
        output = load()
        assert counts() == before
        assert "0 predictions created" in output
        assert f"0 questions of the group “{GROUP_NAME}” created" in output
        assert "Log in at http://127.0.0.1:8000/ as demo / falsifiable-demo" in output

    def test_second_run_restores_the_login(self):
        self.user.set_password("changed")
        self.user.save()
        load()
        self.user.refresh_from_db()
        assert self.user.check_password("falsifiable-demo")

    def test_reset_recreates_the_same_history_and_leaves_others_alone(self):
        def snapshot():
            return sorted(
                (
                    p.import_key,
                    p.question,
                    p.created_at,
                    p.resolve_by,
                    p.status,
                    p.outcome,
                    p.known_at,
                    tuple((f.created_at, f.probability) for f in p.forecasts.all()),
                )
                for p in self.demo_predictions()
            )

        before, before_counts = snapshot(), counts()
        output = load("--reset")
        assert snapshot() == before
        assert counts() == before_counts
        assert "65 predictions created" in output
        assert Prediction.objects.filter(pk=self.other_prediction.pk).exists()
        assert Tag.objects.filter(owner=self.other, name="ai").exists()

    def test_at_least_40_resolved_besides_the_worked_example(self):
        resolved = self.demo_predictions().filter(status=Prediction.Status.RESOLVED)
        assert resolved.exclude(import_key="demo:gpt-4-this-week").count() >= 40

    def test_every_bucket_is_populated_by_final_forecasts(self):
        centred = set()  # docs/design.md §4: 0, 10, ..., 100 with 5%-wide end buckets
        deciles = set()  # [0, 10), [10, 20), ..., [90, 100]
        resolved = self.demo_predictions().filter(status=Prediction.Status.RESOLVED)
        for prediction in resolved.filter(kind=Prediction.Kind.BINARY):
            percent = final_forecast(prediction).probability * 100
            centred.add(min(100, int((percent + 5) // 10) * 10))
            deciles.add(min(9, int(percent // 10)))
        assert centred == set(range(0, 101, 10))
        assert deciles == set(range(10))

    def test_extremes_are_used_and_sometimes_missed(self):
        finals = [
            (final_forecast(p).probability, p.outcome)
            for p in self.demo_predictions().filter(
                status=Prediction.Status.RESOLVED, kind=Prediction.Kind.BINARY
            )
        ]
        low = [outcome for p, outcome in finals if p <= 0.05]
        high = [outcome for p, outcome in finals if p >= 0.95]
        assert len(low) >= 3
        assert len(high) >= 3
        # A bit overconfident at the extremes, but not wildly so.
        assert 1 <= sum(low) < len(low) / 2
        assert len(high) / 2 < sum(high) < len(high)

    def test_history_spans_the_past_year(self):
        rest = self.demo_predictions().exclude(
            import_key__in=["demo:gpt-4-this-week", "demo:gpt-4-next-week-why"]
        )
        created = sorted(p.created_at for p in rest)
        assert created[-1] - created[0] > dt.timedelta(days=300)
        assert created[0] > NOW - dt.timedelta(days=366)
        assert created[-1] < NOW
        known = [p.known_at for p in rest.exclude(status=Prediction.Status.OPEN)]
        assert max(known) - min(known) > dt.timedelta(days=250)
        assert all(NOW - dt.timedelta(days=366) < k < NOW for k in known)

    def test_every_prediction_is_tagged(self):
        assert not self.demo_predictions().filter(tags=None).exists()
        names = set(Tag.objects.filter(owner=self.user).values_list("name", flat=True))
        assert {"ai", "tech-releases", "politics", "economy", "science", "personal"} <= names

    def test_the_worked_example(self):
        example = Prediction.objects.get(owner=self.user, import_key="demo:gpt-4-this-week")
        assert example.question == "GPT-4 will be announced this week"
        assert example.created_at.astimezone(BERLIN).date() == dt.date(2023, 3, 13)
        assert example.resolve_by == dt.date(2023, 3, 19)
        assert [f.probability for f in example.forecasts.all()] == [percent("5")]
        assert example.status == Prediction.Status.RESOLVED
        assert example.outcome is True
        assert example.known_at.astimezone(BERLIN).date() == dt.date(2023, 3, 14)
        assert "OpenAI" in example.resolution_criteria
        assert "Heise" in example.notes
        assert "Braun" in example.notes
        assert example.resolution_note
        assert {t.name for t in example.tags.all()} == {"ai", "tech-releases"}

    def test_updates_carry_rationales(self):
        updated = [p for p in self.demo_predictions() if len(p.forecasts.all()) >= 3]
        assert len(updated) >= 3
        for prediction in updated:
            assert all(f.rationale for f in prediction.forecasts.all()[1:])

    def test_one_annulled(self):
        annulled = self.demo_predictions().get(status=Prediction.Status.ANNULLED)
        assert annulled.outcome is None
        assert annulled.resolution_note

    def test_one_re_resolved(self):
        prediction = self.demo_predictions().get(import_key="demo:bike-lane-hauptstrasse")
        actions = [(e.action, e.outcome) for e in prediction.resolution_events.all()]
        assert actions == [("resolve", True), ("undo", None), ("resolve", False)]
        assert prediction.outcome is False

    def test_one_late_forecast(self):
        late = Forecast.objects.get(
            prediction__owner=self.user, import_key__startswith="demo:late:"
        )
        assert late.created_at > late.prediction.known_at
        assert final_forecast(late.prediction) != late

    def test_one_edit_after_the_first_forecast(self):
        edit = PredictionEdit.objects.get(prediction__owner=self.user)
        assert edit.field == "resolution_criteria"
        assert edit.old_value
        assert edit.new_value != edit.old_value

    def test_open_and_due(self):
        today = self.user.profile.today()
        assert today == dt.date(2027, 1, 1)
        open_ = self.demo_predictions().open()
        due = open_.due(today)
        assert 3 <= due.count() <= 4
        assert open_.filter(resolve_by__gte=today).count() >= 8

    def test_worked_example_as_three_options_and_release_dates(self):
        options = self.demo_predictions().get(import_key="demo:gpt-4-next-week-why")
        assert options.kind == Prediction.Kind.MULTIPLE_CHOICE
        assert [o.label for o in options.options.all()] == [
            "He misspoke",
            "He leaked the date early",
            "It is the real announcement",
        ]
        assert options.outcome_option.label == "It is the real announcement"
        first = options.forecasts.get().option_probabilities.all()
        assert [op.probability for op in first] == [
            Decimal("0.750"),
            Decimal("0.200"),
            Decimal("0.050"),
        ]
        dates = self.demo_predictions().filter(kind=Prediction.Kind.DATE)
        assert dates.count() >= 4
        assert dates.filter(status=Prediction.Status.RESOLVED).count() >= 3
        assert all(p.forecasts.get().quantiles.count() == 3 for p in dates)

    def test_worked_example_carries_the_heise_article_and_resolves_from_the_announcement(self):
        for key in ["demo:gpt-4-this-week", "demo:gpt-4-next-week-why"]:
            prediction = self.demo_predictions().get(import_key=key)
            stances = {
                link.source.publisher: (link.stance, link.note)
                for link in prediction.evidence_links.select_related("source")
            }
            assert stances["heise online"][0] == "supports"
            assert "doubt" in stances["heise online"][1]
            assert stances["OpenAI"][0] == "resolves"
            assert prediction.resolution_evidence.source.publisher == "OpenAI"
            assert prediction.resolution_events.get().evidence == prediction.resolution_evidence


def test_the_demo_words_mean_what_the_phrase_table_says():
    """A phrase the demo forecaster says must read as the number forecast with it, or the
    dashboard's "your words, calibrated" would tell a different story."""
    for number, phrase in WORDS.items():
        assert phrase_meaning(phrase) == percent(number), phrase


@time_machine.travel(NOW, tick=False)
class DemoGroupTests(TestCase):
    """The demo group: three members, a dozen shared questions with several forecasters,
    some hidden until one forecasts, some resolved, a few comments."""

    @classmethod
    def setUpTestData(cls):
        cls.output = load()
        cls.user = get_user_model().objects.get(username="demo")
        cls.group = Group.objects.get(name=GROUP_NAME)

    def questions(self):
        return self.group.predictions.prefetch_related("forecasts").order_by("import_key")

    def test_three_members_the_demo_user_owning_it(self):
        memberships = self.group.memberships.select_related("user__profile")
        by_name = {m.user.profile.display_name: m for m in memberships}
        assert set(by_name) == {"Demo Forecaster", "Ada Moreau", "Ben Okafor"}
        assert by_name["Demo Forecaster"].user == self.user
        assert by_name["Demo Forecaster"].role == Membership.Role.OWNER
        for name in ("Ada Moreau", "Ben Okafor"):
            assert not by_name[name].user.has_usable_password()
        # One of them shows her calibration to the group, so its page has something.
        assert [m.user.profile.display_name for m in memberships if m.shows_calibration] == [
            "Ada Moreau"
        ]

    def test_a_dozen_shared_questions_with_several_forecasters(self):
        questions = list(self.questions())
        assert len(questions) == 12
        assert all(q.owner != self.user for q in questions)  # the demo user's stay 65
        for q in questions:
            assert len({f.author_id for f in q.forecasts.all()}) >= 2, q.question

    def test_some_resolved_enough_to_rank_everyone(self):
        resolved = self.questions().filter(status="resolved")
        assert resolved.count() >= 5
        for q in resolved:
            assert all(f.created_at <= q.known_at for f in q.forecasts.all()), q.question
        self.client.force_login(self.user)
        board = self.client.get(f"/groups/{self.group.pk}/").context["leaderboard"]
        assert len(board.ranked) == 3
        assert all(row.relative is not None for row in board.ranked)

    def test_some_hidden_including_ones_the_demo_user_has_not_forecast_on(self):
        hidden = [q for q in self.questions().open() if q.hide_until_forecast]
        assert hidden
        unforecast = [
            q for q in hidden if not any(f.author_id == self.user.pk for f in q.forecasts.all())
        ]
        assert unforecast
        self.client.force_login(self.user)
        text = self.client.get(f"/p/{unforecast[0].pk}/").content.decode()
        assert "Forecast first to see" in text
        assert self.questions().filter(hide_until_forecast=False).exists()  # and some not

    def test_a_few_comments(self):
        assert Comment.objects.filter(prediction__shared_with=self.group).count() >= 3

    def test_reloading_the_group_questions_recreates_the_same_ones(self):
        def snapshot():
            return [
                (
                    q.import_key,
                    q.question,
                    q.created_at,
                    q.resolve_by,
                    q.status,
                    q.outcome,
                    q.known_at,
                    q.hide_until_forecast,
                    sorted((f.author_id, f.created_at, f.probability) for f in q.forecasts.all()),
                )
                for q in self.questions()
            ]

        before = snapshot()
        self.group.predictions.all().delete()
        output = load()
        assert f"12 questions of the group “{GROUP_NAME}” created" in output
        assert snapshot() == before
        assert Group.objects.filter(name=GROUP_NAME).count() == 1
