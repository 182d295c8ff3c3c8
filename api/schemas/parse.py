from datetime import date

from ninja import Field, Schema


class ParseIn(Schema):
    # Longer lines are refused by read_entry with the capture line's message, not cut.
    text: str = Field(max_length=10_000)
    resolve_by: str = Field("", max_length=200, description="Optional: ISO date or words.")


class ParseOut(Schema):
    claim: str
    probability: float | None  # 0–1
    probability_phrase: str
    probability_warning: str
    resolve_by: date | None
    resolve_by_phrase: str
    tags: list[str]
    problems: dict[str, list[str]]  # field → messages, the capture line's texts
