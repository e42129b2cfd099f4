"""What every API schema shares: bodies that refuse unknown fields and unstorable text, errors, ids,
times (answered in UTC; taken as ISO 8601 with an offset) and money bounds."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from models.base import MAX_ID

INT4_MAX = MAX_ID  # ids are 32-bit integer columns (models.base: the one rule for ids from outside)
RUPIAH_MAX = 10**15  # budget amounts are 64-bit; a village's line is far below Rp1.000 triliun


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _representable(value: datetime) -> datetime:
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("time out of range") from None
    return value


UTCTime = Annotated[datetime, AfterValidator(_utc)]
Moment = Annotated[AwareDatetime, AfterValidator(_representable)]
Id = Annotated[int, Field(ge=1, le=INT4_MAX)]
Label = Annotated[str, Field(min_length=1, max_length=80)]
NoBraces = r"^[^{}]*$"  # a meeting's words go into templates whose {variables} are filled at send time


def forbid_extra(examples: list[Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": examples})


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate ("\ud800"), which no database can store
        return False
    return True


def _unstorable(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value or (not value.isascii() and not _encodable(value))
    if isinstance(value, dict):
        return any(_unstorable(key) or _unstorable(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_unstorable(item) for item in value)
    return False


class Body(BaseModel):
    """A request body: unknown fields are refused (a typo must not pass silently), and so is text with
    NUL characters or lone surrogates, which PostgreSQL cannot store."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: object) -> object:
        if _unstorable(data):
            raise ValueError("text must not contain NUL characters or lone surrogates")
        return data


def given_and_not_null(body: BaseModel, nullable: frozenset[str], what: str) -> None:
    """A PATCH body's check: something given (`what`: "field", "setting"), and nothing given as null but
    what `nullable` names (ValueError, a 422, otherwise)."""
    if not body.model_fields_set:
        raise ValueError(f"give at least one {what} to change")
    nulls = sorted(n for n in body.model_fields_set - nullable if getattr(body, n) is None)
    if nulls:
        raise ValueError(f"{', '.join(nulls)} cannot be null")


class Problem(BaseModel):
    """An error: a sentence saying what is wrong, or (for a malformed body) one entry per field."""

    detail: str | list[dict[str, Any]] = Field(
        examples=["audience is empty: no subscribed contact matches it"]
    )


Responses = dict[int | str, dict[str, Any]]


def problems(described: Mapping[int, str]) -> Responses:
    """Error responses for a route's OpenAPI entry: a `Problem` under each status, with its description."""
    return {status: {"model": Problem, "description": text} for status, text in described.items()}
