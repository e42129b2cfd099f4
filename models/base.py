"""Shared column types and conventions for every table."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, DateTime, Dialect, Engine, Insert, String, Table, TypeDecorator
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel

# Named constraints, so migrations and error messages refer to stable names.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class VillageRow(SQLModel):
    """The columns a table of one village's rows starts with: its own id, and its village's (indexed)."""

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC, always returns timezone-aware UTC (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Kentongan stores timezone-aware UTC only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E]):
    """A StrEnum stored as its plain value (no database enum type to migrate), read back as the enum."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int = 24) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


def insert_unless_taken(table: Table, key: list[str], *returning: ColumnElement[Any]) -> dict[str, Insert]:
    """`INSERT ... ON CONFLICT (key) DO NOTHING RETURNING ...` for each dialect we run on, by dialect
    name: a row whose natural key a concurrent transaction took waits for it, then inserts nothing (and
    returns no row) instead of failing the whole transaction."""
    statements: dict[str, Insert] = {}
    for name, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert)):
        statement = dialect_insert(table).on_conflict_do_nothing(index_elements=key)
        statements[name] = statement.returning(*returning) if returning else statement
    return statements


# Row ids are 32-bit `integer` columns on PostgreSQL (64-bit on SQLite): the narrower range holds for both.
MAX_ID = 2**31 - 1


def fits_id(value: int) -> bool:
    """True when `value` fits a database integer id (1 to 2**31 - 1).

    An id from outside (a provider's report, a URL) that does not is not ours, and must never reach a
    query: SQLite overflows past 64 bits, PostgreSQL refuses past 32, and either is a 500 that the
    provider retries for days.
    """
    return 1 <= value <= MAX_ID


def id_from_text(value: str | None) -> int | None:
    """One of our row ids written as we write it (`str(id)`: ASCII digits, no sign, no leading zero);
    None for anything else, a number out of range included."""
    if not value or len(value) > len(str(MAX_ID)) or not (value.isascii() and value.isdigit()):
        return None
    if value.startswith("0"):
        return None
    number = int(value)
    return number if fits_id(number) else None


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back on error: the one transaction boundary
    of the web edge (bot/db.py re-exports it), the scheduler's jobs and the tests."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
