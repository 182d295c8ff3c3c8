"""The CSV export (docs/design.md §5): one row per forecast, per option for multiple
choice and per quantile for release dates (`probability` is then the quantile level and
`value` its date); a prediction without forecasts gets one row with the forecast columns
empty. It streams: rows are produced as they are formatted.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from predictions.models import Prediction
from reports.exports.loading import iter_predictions
from reports.exports.records import PredictionData
from reports.exports.scope import ExportScope
from reports.exports.values import probability_text, score_text, url_maker, utc_text
from reports.file_format import CSV_COLUMNS, TAG_SEPARATOR, neutralise

ROWS_PER_WRITE = 2000  # CSV rows joined into one piece of the streamed response


class Echo:
    """A file-like object whose write() returns what it was given, so csv.writer
    formats a row into a string instead of writing it anywhere."""

    def write(self, value: str) -> str:
        return value


_WRITER = csv.writer(Echo())
_NEEDS_QUOTES = frozenset(',"\r\n')


def _fragment(cells: list[str]) -> str:
    """Several cells as CSV text without the line end, quoted as csv.writer does."""
    return _WRITER.writerow(cells)[:-2]


def _cell(text: str) -> str:
    """One cell as csv.writer writes it (minimal quoting, doubled quotes)."""
    if _NEEDS_QUOTES.isdisjoint(text):
        return text
    return '"' + text.replace('"', '""') + '"'


def csv_lines(qs: QuerySet, scope: ExportScope, *, base_url: str = "") -> Iterator[str]:
    """The CSV export of the predictions in `qs` with the `scope`'s forecasts, a line at
    a time, header first
    (RFC 4180: CRLF line ends, quotes only where needed).

    What is the same on every row of a prediction is encoded once per prediction; a
    forecast row then only adds its own cells, which is most of the export's speed.
    """
    yield _WRITER.writerow(CSV_COLUMNS)
    url = url_maker(base_url)
    for p in iter_predictions(qs, scope):
        known = "" if p.status == Prediction.Status.OPEN else utc_text(p.known_at)
        pre = _fragment([str(p.id), neutralise(p.question), p.kind])
        mid = _fragment([p.status, neutralise(p.resolution), known])
        tail = _fragment(
            [
                score_text(p.brier),
                score_text(p.brier_time_avg),
                neutralise(TAG_SEPARATOR.join(p.tags)),
                neutralise(url(p.id)),
                p.resolve_by,
                utc_text(p.created_at),
                utc_text(p.resolved_at),
                score_text(p.log_loss),
            ]
        )
        wis = score_text(p.wis)
        owner = _cell(neutralise(p.owner))
        if not p.forecasts:
            empty = ["", "", "", "", "", "", ""]  # option … is_late
            cells = [pre, *empty, mid, "", "", "", tail, "", wis, "", p.uid, owner, ""]
            yield ",".join(cells) + "\r\n"
            continue
        for f in p.forecasts:
            fid, at = str(f.id), utc_text(f.at)
            final, late = ("1" if f.final else "0"), ("1" if f.late else "0")
            rationale = _cell(neutralise(f.rationale))
            people = f"{p.uid},{owner},{_cell(neutralise(f.author))}"
            briers, losses = f.row_brier, f.row_log_loss
            if p.kind == Prediction.Kind.BINARY:
                outcome = _outcome(p, p.outcome)
                brier = score_text(briers[0]) if briers else ""
                loss = score_text(losses[0]) if losses else ""
                prob = probability_text(f.probability)
                yield (
                    f"{pre},,{fid},{at},{prob},,{final},{late},{mid},{outcome},{brier},{loss},"
                    f"{tail},,,{rationale},{people}\r\n"
                )
            elif p.kind == Prediction.Kind.MULTIPLE_CHOICE:
                for i, (option_id, label, _) in enumerate(p.options):
                    cells = [
                        pre,
                        _cell(neutralise(label)),
                        fid,
                        at,
                        probability_text(f.options[i]),
                        "",
                        final,
                        late,
                        mid,
                        _outcome(p, option_id == p.outcome_option_id),
                        score_text(briers[i]) if briers else "",
                        score_text(losses[i]) if losses else "",
                        tail,
                        "",
                        "",
                        rationale,
                        people,
                    ]
                    yield ",".join(cells) + "\r\n"
            else:
                for i, (level, day) in enumerate(f.quantiles):
                    happened = p.outcome_date is not None and p.outcome_date <= day
                    cells = [
                        pre,
                        "",
                        fid,
                        at,
                        probability_text(level),
                        day,
                        final,
                        late,
                        mid,
                        _outcome(p, happened),
                        score_text(briers[i]) if briers else "",
                        score_text(losses[i]) if losses else "",
                        tail,
                        score_text(f.row_pinball[i]) if f.row_pinball else "",
                        wis,
                        rationale,
                        people,
                    ]
                    yield ",".join(cells) + "\r\n"


def _outcome(p: PredictionData, happened: bool | None) -> str:
    if p.status != Prediction.Status.RESOLVED:
        return ""
    return "1" if happened else "0"


def csv_stream(lines: Iterable[str]) -> Iterator[str]:
    """The lines joined into pieces of about ROWS_PER_WRITE rows, for a streaming
    response or a file (each piece a few hundred kilobytes, never the whole export)."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= ROWS_PER_WRITE:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)
