"""Predictions, their forecasts (append-only) and their recorded history.

Times are stored in UTC. A prediction's `resolve_by` is a date meaning the end of that
day in the owner's time zone (Profile.timezone).
"""

import secrets
import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.utils import timezone

from predictions.buckets import BucketRange
from predictions.probability import format_percent
from predictions.uids import new_uid

PROBABILITY_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]
QUESTION_MAX_LENGTH = 300
TAG_NAME_MAX_LENGTH = 40


def probability_field(**kwargs) -> models.DecimalField:
    """A probability in [0, 1] stored exactly at 0.1% resolution (0.700, never 0.69999)."""
    return models.DecimalField(
        max_digits=4, decimal_places=3, validators=PROBABILITY_VALIDATORS, **kwargs
    )


def bounded_text(max_length: int, **kwargs) -> models.TextField:
    """A TextField whose max_length full_clean() checks too: Django only hands a
    TextField's max_length to form fields, so services and imports would store more."""
    return models.TextField(
        max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs
    )


def probability_constraint(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0, f"{field}__lte": 1}) | Q(**{f"{field}__isnull": True}),
        name=name,
    )


def new_share_token() -> str:
    return secrets.token_urlsafe(18)


def new_data_version() -> int:
    """A fresh random data version (docs/decisions/0021-data-version-kept-by-writes.md):
    random rather than counted, so a number is never reused for other data, not after a
    restore from a backup nor when a test database hands out the same user id again."""
    return secrets.randbits(62)


class Profile(models.Model):
    """Per-user settings: display name for shared pages, time zone, reminder bookkeeping."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(max_length=60, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    last_reminder_at = models.DateTimeField(null=True, blank=True)
    # The address the user proved they read (predictions.verification); the current one
    # is verified only while they are equal, so changing the address un-verifies it.
    verified_email = models.EmailField(blank=True)
    # Replaced by every write service that changes what the reports show about the user
    # (predictions.services.profiles.data_changed), in the same transaction: the
    # dashboard's cache keys carry it, so a cached page is never stale.
    data_version = models.BigIntegerField(default=new_data_version, editable=False)

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()

    def save(self, *args, **kwargs) -> None:
        """Saving a stored profile never writes `data_version`: a profile read before a
        write service replaced it (the profile page, an import in a worker meanwhile)
        would put the old version back, and the dashboard would show old data."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "data_version"
            ]
        super().save(*args, **kwargs)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def today(self) -> date:
        """The current date where the user lives: what "due today" means to them."""
        return timezone.now().astimezone(self.tzinfo).date()

    def end_of_day(self, day: date) -> datetime:
        """The UTC instant at which `day` ends in the user's time zone."""
        local = datetime.combine(day + timedelta(days=1), time.min, tzinfo=self.tzinfo)
        return local.astimezone(zoneinfo.ZoneInfo("UTC"))


class Tag(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tags"
    )
    name = models.CharField(max_length=TAG_NAME_MAX_LENGTH)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "owner", name="tag_unique_name_per_owner"),
        ]

    def __str__(self) -> str:
        return self.name


class PredictionQuerySet(models.QuerySet):
    def owned_by(self, user) -> "PredictionQuerySet":
        """Predictions the user owns (anonymous users own nothing)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)

    def visible_to(self, user) -> "PredictionQuerySet":
        """Predictions the user may read on their own page: their own only.

        Link-shared and public predictions are read through the share URL instead, so
        that another user's id in a URL answers 404 exactly like a private one.
        """
        return self.owned_by(user)

    def readable_by(self, user) -> "PredictionQuerySet":
        """Predictions the user may read and forecast on inside the app: their own, and
        those shared with a group they belong to (predictions.sharing holds the rest of
        the sharing rules). Owner-only actions keep using `owned_by`."""
        if not user.is_authenticated:
            return self.none()
        shared = Prediction.objects.filter(shared_with__memberships__user=user).values("pk")
        return self.filter(Q(owner=user) | Q(pk__in=shared))

    def forecast_on_by(self, user) -> "PredictionQuerySet":
        """The user's questions (docs/decisions/0027-a-members-own-dashboard.md): those
        they own, and those they may read (`readable_by`) and have forecast on. The
        dashboard, the exports and the list score and show these; leaving a group makes
        its questions unreadable, so they drop out."""
        if not user.is_authenticated:
            return self.none()
        # Only the forecasts on others' questions, a short list: an export repeats this
        # WHERE in every query of every chunk, and reading all of the user's forecasts
        # there cost a large export of one's own predictions (decision 0028).
        on_others = Forecast.objects.filter(author=user).exclude(prediction__owner=user)
        readable = Prediction.objects.readable_by(user).filter(
            pk__in=on_others.values("prediction_id")
        )
        return self.filter(Q(owner=user) | Q(pk__in=readable.values("pk")))

    def open(self) -> "PredictionQuerySet":
        return self.filter(status=Prediction.Status.OPEN)

    def due(self, today: date) -> "PredictionQuerySet":
        """Open predictions whose resolve-by date has passed (`today` is the owner's date)."""
        return self.open().filter(resolve_by__lt=today)

    def with_latest_forecast(self, author=None) -> "PredictionQuerySet":
        """Annotates `latest_forecast_id`, `latest_probability` (yes/no only) and
        `latest_forecast_at`: of the latest forecast by `author`, by default each
        prediction's owner (members of the groups it is shared with forecast on it too,
        and their forecasts are not the owner's).

        One correlated subquery each, so a list page costs the same number of queries
        however many rows it shows.
        """
        latest = Forecast.objects.filter(
            prediction=OuterRef("pk"),
            author=OuterRef("owner") if author is None else author,
        ).order_by("-created_at", "-pk")
        return self.annotate(
            latest_forecast_id=Subquery(latest.values("pk")[:1]),
            latest_probability=Subquery(latest.values("probability")[:1]),
            latest_forecast_at=Subquery(latest.values("created_at")[:1]),
        )

    def resolved_between(
        self, profile: "Profile", start: date | None, end: date | None
    ) -> "PredictionQuerySet":
        """Predictions resolved from day `start` to day `end` (both included, whole days
        in the owner's time zone; None leaves that end open). Open ones have no
        resolution date, so any bound leaves them out."""
        qs = self
        if start is not None:
            qs = qs.filter(resolved_at__gte=profile.end_of_day(start - timedelta(days=1)))
        if end is not None:
            qs = qs.filter(resolved_at__lt=profile.end_of_day(end))
        return qs

    def in_buckets(self, buckets: BucketRange, *, author) -> "PredictionQuerySet":
        """Resolved predictions whose final forecast by `author` (a user or user id: the
        viewer, whose own forecasts their dashboard scores; the last one made at or
        before `known_at`, docs/design.md §4) has a calibration point in `buckets`: a
        yes/no probability, any option's probability, or any quantile's level there.
        These are exactly the predictions the dashboard's bucket table counts there."""
        final = Forecast.objects.filter(
            prediction=OuterRef("pk"), author=author, created_at__lte=OuterRef("known_at")
        ).order_by("-created_at", "-pk")
        low = Decimal(buckets.low) / 1000
        high = Decimal(buckets.high) / 1000

        def inside(field: str) -> Q:
            upper = f"{field}__lte" if buckets.closed else f"{field}__lt"
            return Q(**{f"{field}__gte": low, upper: high})

        Kind = Prediction.Kind
        options = OptionProbability.objects.filter(forecast_id=OuterRef("final_forecast_id"))
        levels = DateQuantile.objects.filter(forecast_id=OuterRef("final_forecast_id"))
        return (
            self.filter(status=Prediction.Status.RESOLVED)
            .annotate(
                final_forecast_id=Subquery(final.values("pk")[:1]),
                final_probability=Subquery(final.values("probability")[:1]),
            )
            .filter(
                Q(kind=Kind.BINARY) & inside("final_probability")
                | Q(kind=Kind.MULTIPLE_CHOICE) & Exists(options.filter(inside("probability")))
                | Q(kind=Kind.DATE) & Exists(levels.filter(inside("level")))
            )
        )

    def for_list(self, author=None) -> "PredictionQuerySet":
        """What the list and due pages show: latest forecast (by `author`, by default the
        owner: see `with_latest_forecast`) and tags, without N+1."""
        return self.with_latest_forecast(author).prefetch_related("tags")

    def search(self, text: str) -> "PredictionQuerySet":
        # NUL is dropped: stored text never holds it (forms refuse it), and PostgreSQL
        # would raise DataError on it rather than find nothing.
        text = text.replace("\x00", "").strip()
        if not text:
            return self
        return self.filter(
            Q(question__icontains=text)
            | Q(resolution_criteria__icontains=text)
            | Q(notes__icontains=text)
        )


def attach_summaries(predictions) -> None:
    """Sets `current` on each annotated prediction: its latest forecast in a few words."""
    summaries = latest_summaries(predictions)
    for prediction in predictions:
        prediction.current = summaries.get(
            prediction.latest_forecast_id, format_percent(prediction.latest_probability)
        )


def latest_summaries(predictions) -> dict[int, str]:
    """One-line summaries of the latest multiple-choice and date forecasts of annotated
    predictions ("Leaked early 60%", "median 3 Mar 2027"), in two queries whatever the
    number of rows, for list pages."""
    ids = [p.latest_forecast_id for p in predictions if p.kind != "binary" and p.latest_forecast_id]
    summaries: dict[int, str] = {}
    if not ids:
        return summaries
    leaders: dict[int, OptionProbability] = {}
    for row in OptionProbability.objects.filter(forecast_id__in=ids).select_related("option"):
        best = leaders.get(row.forecast_id)
        if best is None or row.probability > best.probability:
            leaders[row.forecast_id] = row
    for forecast_id, row in leaders.items():
        summaries[forecast_id] = f"{row.option.label} {format_percent(row.probability)}"
    medians = DateQuantile.objects.filter(forecast_id__in=ids, level=Decimal("0.5"))
    for quantile in medians:
        summaries[quantile.forecast_id] = f"median {quantile.value:%-d %b %Y}"
    return summaries


class Prediction(models.Model):
    class Kind(models.TextChoices):
        BINARY = "binary", "Yes / no"
        MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
        DATE = "date", "Release date"

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private (only you)"
        LINK = "link", "Anyone with the link"
        PUBLIC = "public", "Public"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        ANNULLED = "annulled", "Annulled"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="predictions"
    )
    question = models.CharField(max_length=QUESTION_MAX_LENGTH)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.BINARY)
    resolution_criteria = bounded_text(5000, blank=True)
    resolve_by = models.DateField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="predictions")
    notes = bounded_text(10000, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    share_token = models.CharField(max_length=32, unique=True, default=new_share_token)
    # Groups whose members may read this prediction and forecast on it (the groups app
    # decides membership; this app only follows the relation).
    shared_with = models.ManyToManyField(
        "groups.Group", through="Share", blank=True, related_name="predictions"
    )
    # Against anchoring: on a shared question a member who has not forecast yet sees no
    # one else's forecast (nor the community's) until they have, or until this date.
    hide_until_forecast = models.BooleanField(default=True)
    hidden_until = models.DateField(null=True, blank=True)

    # Current resolution (the history is in ResolutionEvent; scores use this state).
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.BooleanField(null=True, blank=True)  # binary: True = YES
    # Options only disappear with their prediction, so these never dangle in practice.
    outcome_option = models.ForeignKey(
        "Option", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome_date = models.DateField(null=True, blank=True)
    known_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = bounded_text(5000, blank=True)
    resolution_evidence = models.ForeignKey(
        "sources.EvidenceLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Set when the prediction came from an import, so re-importing adds nothing.
    import_key = models.CharField(max_length=128, blank=True, default="")
    # Globally unique and never changed: our exports write it, so an import recognises
    # this very prediction by it, and an export from another account or site can never
    # collide with it (docs/decisions/0013-import-matching-by-key.md).
    uid = models.UUIDField(default=new_uid, unique=True, editable=False)

    objects = PredictionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="prediction_owner_created"),
            models.Index(fields=["owner", "status", "resolve_by"], name="prediction_owner_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "import_key"],
                condition=~Q(import_key=""),
                name="prediction_unique_import_key",
            ),
            models.CheckConstraint(
                condition=Q(status="open", known_at__isnull=True)
                | (~Q(status="open") & Q(known_at__isnull=False)),
                name="prediction_known_at_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.question

    def is_due(self, today: date) -> bool:
        return self.status == self.Status.OPEN and self.resolve_by < today

    def display_status(self, today: date) -> str:
        """open / due / resolved / annulled, as the list shows it."""
        return "due" if self.is_due(today) else self.status


class Share(models.Model):
    """A prediction shared with a group, and since when (members are told of new ones)."""

    prediction = models.ForeignKey(Prediction, on_delete=models.CASCADE, related_name="shares")
    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="shares")
    shared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prediction", "group"], name="share_unique_group"),
        ]

    def __str__(self) -> str:
        return f"{self.prediction_id} shared with {self.group_id}"


class Option(models.Model):
    """One answer of a multiple-choice prediction; exactly one wins at resolution."""

    prediction = models.ForeignKey(Prediction, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["prediction", "position"], name="option_unique_position"
            ),
            models.UniqueConstraint(
                Lower("label"), "prediction", name="option_unique_label_per_prediction"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class ForecastQuerySet(models.QuerySet):
    def by_owner(self) -> "ForecastQuerySet":
        """The forecasts each prediction's owner made: what the owner's lists, scores
        and exports rest on. Members' forecasts on a shared question are their own."""
        return self.filter(author_id=F("prediction__owner_id"))


class Forecast(models.Model):
    """A probability statement at a moment. Append-only: never edited or deleted.

    Binary forecasts carry `probability` (of YES). Multiple-choice forecasts carry one
    OptionProbability per option; date forecasts carry DateQuantile rows.
    """

    prediction = models.ForeignKey(Prediction, on_delete=models.CASCADE, related_name="forecasts")
    # Who made it: the owner, or a member of a group the prediction is shared with. Each
    # author's forecasts on a question are their own history, scored on their own.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forecasts"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    probability = probability_field(null=True, blank=True)
    phrase = models.CharField(max_length=100, blank=True)  # what the user typed, e.g. "1 in 20"
    rationale = bounded_text(5000, blank=True)
    evidence = models.ForeignKey(
        "sources.EvidenceLink",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forecasts",
    )
    import_key = models.CharField(max_length=128, blank=True, default="")

    objects = ForecastQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["prediction", "created_at"], name="forecast_pred_time"),
            models.Index(
                fields=["author", "prediction", "created_at"], name="forecast_author_time"
            ),
        ]
        constraints = [
            probability_constraint("probability", "forecast_probability_range"),
            models.UniqueConstraint(
                fields=["prediction", "import_key"],
                condition=~Q(import_key=""),
                name="forecast_unique_import_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.probability} on {self.prediction_id} at {self.created_at:%Y-%m-%d %H:%M}"


class OptionProbability(models.Model):
    forecast = models.ForeignKey(
        Forecast, on_delete=models.CASCADE, related_name="option_probabilities"
    )
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="probabilities")
    probability = probability_field()

    class Meta:
        ordering = ["option__position"]
        constraints = [
            probability_constraint("probability", "option_probability_range"),
            models.UniqueConstraint(
                fields=["forecast", "option"], name="option_probability_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.probability} for option {self.option_id}"


class DateQuantile(models.Model):
    """ "By `value` the event has happened, with probability `level`" (e.g. 0.9)."""

    forecast = models.ForeignKey(Forecast, on_delete=models.CASCADE, related_name="quantiles")
    level = probability_field()
    value = models.DateField()

    class Meta:
        ordering = ["level"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gt=0, level__lt=1), name="quantile_level_range"
            ),
            models.UniqueConstraint(fields=["forecast", "level"], name="quantile_unique_level"),
        ]

    def __str__(self) -> str:
        return f"{self.level}: {self.value}"


class ResolutionEvent(models.Model):
    """Append-only history of resolving, re-resolving and undoing a prediction."""

    class Action(models.TextChoices):
        RESOLVE = "resolve", "Resolved"
        ANNUL = "annul", "Annulled"
        UNDO = "undo", "Reopened"

    prediction = models.ForeignKey(
        Prediction, on_delete=models.CASCADE, related_name="resolution_events"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    outcome = models.BooleanField(null=True, blank=True)
    outcome_option = models.ForeignKey(
        Option, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    outcome_date = models.DateField(null=True, blank=True)
    known_at = models.DateTimeField(null=True, blank=True)
    note = bounded_text(5000, blank=True)
    evidence = models.ForeignKey(
        "sources.EvidenceLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.created_at:%Y-%m-%d %H:%M}"


class PredictionEdit(models.Model):
    """A change to a prediction's wording or deadline after its first forecast."""

    prediction = models.ForeignKey(Prediction, on_delete=models.CASCADE, related_name="edits")
    field = models.CharField(max_length=40)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.field} changed on {self.created_at:%Y-%m-%d}"


class LoginGate(models.Model):
    """A row to lock while a log-in attempt is checked, evaluated and counted (one per
    bucket of user-name and address hashes; see predictions.login_gate)."""

    bucket = models.PositiveIntegerField(primary_key=True)

    def __str__(self) -> str:
        return f"log-in gate {self.bucket}"
