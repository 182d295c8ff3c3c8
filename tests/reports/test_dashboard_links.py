"""Every bucket link of the dashboard opens the prediction list showing exactly the
predictions counted in that bucket, for any combination of the dashboard's filters
(several tags, kind, creation dates, resolution dates, the period switch), and the
period switch keeps the other filters. Real views, real database, the links as the
page renders them."""

import datetime as dt
import random
import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

from django.core.cache import cache
from django.http import QueryDict
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from predictions.buckets import bucket_index
from predictions.list_filters import FilterForm, Filters, ListRange, filter_note
from predictions.models import Prediction
from predictions.services import profile_for
from reports.selectors.scored import scored_predictions
from tests.predictions.factories import UserFactory
from tests.reports.builders import resolved, tag
from tests.reports.test_kinds import choice

DASHBOARD = reverse("reports:dashboard")
LIST = reverse("predictions:list")
DAY = dt.timedelta(days=1)
# A bucket row of the table: its link and its count of claims.
ROW = re.compile(
    r'<th scope="row"><a href="([^"]+)" data-bucket="(\d+)">.*?</th>\s*<td class="num">(\d+)</td>',
    re.S,
)
CHART_LINK = re.compile(r'<a href="([^"]+)" class="bucket-link" data-bucket="(\d+)">')
QUESTION = re.compile(r"<a class=\"question-link\" href=\"/p/(\d+)/\">")


class BucketLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        rng = random.Random(13)
        cls.tags = [tag(cls.user, name) for name in ("ai", "economy", "sport", "work")]
        cls.foreign_tag = tag(UserFactory(), "theirs")
        now = timezone.now()
        for _ in range(60):
            known = now - rng.randrange(1, 540) * DAY
            made = known - rng.randrange(1, 90) * DAY
            p = rng.choice([0.03, 0.1, 0.22, 0.5, 0.68, 0.7, 0.91, 0.97, 1.0])
            resolved(
                cls.user,
                [(made, p), (made + DAY / 2, min(1.0, p + 0.05))],
                outcome=rng.random() < p,
                created_at=made,
                known_at=known,
                tags=rng.sample(cls.tags, rng.randint(0, 2)),
            )
        for i in range(6):  # multiple choice: options can share a bucket
            known = now - rng.randrange(1, 400) * DAY
            choice(
                cls.user,
                ["A", "B", "C"],
                [(known - 20 * DAY, ["0.45", "0.45", "0.10"])],
                winner="A",
                known_at=known,
                tags=rng.sample(cls.tags, rng.randint(0, 1)),
                question=f"Which one {i}?",
            )

    def setUp(self):
        cache.clear()
        self.client.force_login(self.user)

    def random_params(self, rng: random.Random) -> list[tuple[str, str]]:
        today = profile_for(self.user).today()
        params = [("tag", str(t.pk)) for t in rng.sample(self.tags, rng.randint(0, 3))]
        if rng.random() < 0.2:
            params.append(("tag", str(self.foreign_tag.pk)))  # not theirs: ignored by both
        kind = rng.choice(["", "", Prediction.Kind.BINARY, Prediction.Kind.MULTIPLE_CHOICE])
        if kind:
            params.append(("kind", kind))
        for name in ("created_from", "created_to", "resolved_from", "resolved_to"):
            if rng.random() < 0.3:
                params.append((name, (today - rng.randrange(0, 500) * DAY).isoformat()))
        if rng.random() < 0.4:
            params.append(("period", rng.choice(["3m", "12m"])))
        return params

    def listed(self, url: str) -> set[int]:
        response = self.client.get(url)
        assert response.status_code == 200
        return {int(pk) for pk in QUESTION.findall(response.content.decode())}

    def test_each_bucket_lists_exactly_its_predictions_for_random_filters(self):
        rng = random.Random(2026)
        checked = 0
        for _ in range(25):
            params = self.random_params(rng)
            html = self.client.get(DASHBOARD, params).content.decode()
            # The expected predictions of each bucket, from the selector's own points.
            filters = FilterForm(
                params_dict(params), user=self.user, today=profile_for(self.user).today()
            ).filters()
            points = scored_predictions(
                user=self.user, every_kind=True, **filters.selector_kwargs()
            ).points
            expected: dict[str, set[int]] = {}
            claims: dict[str, int] = {}
            for pid, prob in zip(points["prediction_id"], points["probability"], strict=True):
                bucket = str(bucket_index(round(prob * 1000)) * 10)
                expected.setdefault(bucket, set()).add(int(pid))
                claims[bucket] = claims.get(bucket, 0) + 1
            rows = {b: (unescape(url), int(n)) for url, b, n in ROW.findall(html)}
            chart = {b: unescape(url) for url, b in CHART_LINK.findall(html)}
            assert set(rows) == set(expected), params
            assert chart == {b: url for b, (url, _) in rows.items()}, params
            for bucket, (url, count) in rows.items():
                assert count == claims[bucket], (params, bucket)
                assert self.listed(url) == expected[bucket], (params, bucket, url)
                checked += 1
        assert checked > 40  # the combinations did reach buckets

    def test_yes_no_bucket_count_equals_the_list_count(self):
        params = [("kind", "binary"), ("tag", str(self.tags[0].pk)), ("tag", str(self.tags[1].pk))]
        html = self.client.get(DASHBOARD, params).content.decode()
        rows = ROW.findall(html)
        assert rows
        for url, _, count in rows:
            assert len(self.listed(unescape(url))) == int(count)

    def test_the_list_says_what_it_is_narrowed_to_and_keeps_it_when_searching(self):
        a, b = self.tags[:2]
        url = (
            f"{LIST}?status=resolved&tag={a.pk}&tag={b.pk}&kind=binary&created_from=2025-01-05&p=90"
        )
        html = self.client.get(url).content.decode()
        note = re.search(r'<p class="range-note" id="range-note">(.*?) <a', html, re.S)[1]
        assert note == (
            "Resolved predictions whose final forecast falls in the 90% bucket, "
            "tagged ai or economy, of kind yes / no, made from 5 Jan 2025."
        )
        hidden = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html)
        assert ("tag", str(a.pk)) in hidden
        assert ("tag", str(b.pk)) in hidden
        assert ("kind", "binary") in hidden
        assert ("created_from", "2025-01-05") in hidden

    def test_script_in_a_tag_name_is_escaped_in_the_note(self):
        evil = tag(self.user, "<script>alert(1)</script>")
        html = self.client.get(f"{LIST}?tag={evil.pk}&kind=binary").content.decode()
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    def test_period_links_keep_the_other_filters(self):
        a = self.tags[0]
        html = self.client.get(DASHBOARD, {"tag": a.pk, "kind": "binary"}).content.decode()
        nav = re.search(r'<span id="period-links".*?</span>', html, re.S)[0]
        for href in re.findall(r'href="([^"]+)"', nav):
            query = dict(parse_qsl(urlsplit(unescape(href)).query))
            assert query["tag"] == str(a.pk)
            assert query["kind"] == "binary"

    def test_htmx_results_bring_new_period_links_out_of_band(self):
        a = self.tags[0]
        html = self.client.get(
            DASHBOARD, {"tag": a.pk, "period": "3m"}, headers={"HX-Request": "true"}
        ).content.decode()
        nav = re.search(
            r'<span id="period-links" class="period-links" hx-swap-oob="true">(.*?)</span>',
            html,
            re.S,
        )[1]
        hrefs = [unescape(h) for h in re.findall(r'href="([^"]+)"', nav)]
        assert all(f"tag={a.pk}" in h for h in hrefs)
        assert 'aria-current="true">Last 3 months' in nav


def params_dict(params) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in params:
        query.appendlist(name, value)
    return query


def test_note_of_nothing_is_empty():
    assert filter_note(Filters(), ListRange(), []) == ""
