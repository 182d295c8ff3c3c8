"""Stands in for reports.imports.jobs (being written on the `jobs` branch) in the
clean-up test: counts its calls."""

calls: list[str] = []


def clean_expired_uploads() -> int:
    calls.append("called")
    return 3
