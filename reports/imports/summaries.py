"""What a check or an import found, as the small JSON the import page renders from.

The page never reads the file again (a GET must cost the same for a 50 MB file as for
a 1 KB one): the summary keeps the counts and sentence, the first PREVIEW_ROWS
predictions, the first STORED_PROBLEMS problems with their total, and the bounded header
and Fatebook names the mapping form offers.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

from reports.imports import FORMAT_LABELS, ImportResult
from reports.imports.common import MAX_COLUMNS

STORED_PROBLEMS = 100
STORED_NAMES = 200  # Fatebook forecasters offered in the form


def summarise(result: ImportResult, *, dry_run: bool) -> dict:
    summary = result.summary
    problems = result.problems
    return {
        "ok": result.ok,
        "written": result.written,
        "format": result.format or "",
        "sentence": summary.sentence(dry_run=dry_run) if summary and result.ok else "",
        "problems": problems.messages()[:STORED_PROBLEMS],
        "problem_count": problems.count,
        "notes": problems.notes[:STORED_PROBLEMS],
        "preview": [_row(asdict(row)) for row in summary.preview] if summary else [],
        "header": result.header[:MAX_COLUMNS],
        "columns": result.columns,
        "fatebook_names": result.fatebook_names[:STORED_NAMES],
    }


def failed(message: str) -> dict:
    """The summary of a job that raised: nothing was written, and why."""
    return {"ok": False, "problems": [message], "problem_count": 1}


def _row(row: dict) -> dict:
    created = row.get("created_at")
    if isinstance(created, date | datetime):
        row["created_at"] = created.isoformat()
    return row


class StoredSummary:
    """A stored summary read back for the template."""

    def __init__(self, data: dict) -> None:
        self.data = data or {}

    def __getattr__(self, name: str):
        try:
            return self.data[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def ok(self) -> bool:
        return bool(self.data.get("ok"))

    @property
    def hidden(self) -> int:
        return max(0, self.data.get("problem_count", 0) - len(self.data.get("problems", [])))

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.data.get("format", ""), "unknown")

    @property
    def preview(self) -> list[dict]:
        rows = []
        for row in self.data.get("preview", []):
            created = row.get("created_at")
            try:
                made = datetime.fromisoformat(created) if created else None
            except (TypeError, ValueError):
                made = None
            rows.append({**row, "created_at": made})
        return rows
