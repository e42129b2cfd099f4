"""Database engine, sessions and migrations. SQLite (WAL) by default, PostgreSQL by URL."""

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import create_engine

import models
from models.base import transaction as transaction  # the one boundary; imported from here by the edge

MIGRATIONS = Path(models.__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for the URL; creates the SQLite file's folder and sets WAL and a busy timeout."""
    parsed = make_url(url)
    # A failed statement's parameters (numbers, message texts) must not reach the logs with its error.
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 15})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)  # a connection the server dropped is replaced, not used
    # A server that does not answer at all must not hold a webhook past the provider's ~15 s budget:
    # give up connecting after 5 s and answer 503 (bot/outage.py).
    kwargs.setdefault("connect_args", {"connect_timeout": 5})
    kwargs.setdefault("pool_size", 10)
    return create_engine(url, **kwargs)


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at the migrations beside the models."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision`."""
    make_engine(url).dispose()  # creates the SQLite folder when needed
    command.upgrade(alembic_config(url), revision)
