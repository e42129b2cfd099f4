"""Shared fixtures: a real SQLite file and (when KENTONGAN_TEST_POSTGRES_URL is set) the real PostgreSQL.

Each test gets a clean database: SQLite copies a migrated template file; PostgreSQL migrates a private
schema once per run and empties it between tests (and copies the seeded demo back in when asked).
"""

import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, func, select, text
from sqlmodel import Session, SQLModel

from bot.app import create_app
from bot.db import make_engine, transaction, upgrade
from bot.demo import seed
from bot.settings import Settings
from models import Village

POSTGRES_URL = os.environ.get("KENTONGAN_TEST_POSTGRES_URL", "")
PUBLIC_BASE_URL = "https://kentongan.example.id"
TWILIO_TOKEN = "twilio-test-auth-token"
# A fixed moment: Wednesday 2 December 2026, 10:00 WIB.
T0 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


@dataclass
class Clock:
    """A clock tests move by hand."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("KENTONGAN_TEST_POSTGRES_URL is not set")
    schema = f"kt_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL, pool_size=1)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    upgrade(url)
    yield url
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


_SEQUENCES = text(
    "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()"
)


def _clear(connection: Connection) -> None:
    """Empty every table, children first, and restart the id sequences, in one round trip: for tables
    this small DELETE is 7x faster than TRUNCATE, which costs a file operation per table, and the suite
    does this thousands of times."""
    # Table and sequence names from our models and information_schema, never input.
    statements = [f'DELETE FROM "{table.name}"' for table in reversed(SQLModel.metadata.sorted_tables)]  # noqa: S608
    statements += [f'ALTER SEQUENCE "{name}" RESTART' for name in connection.execute(_SEQUENCES).scalars()]
    connection.exec_driver_sql("; ".join(statements))


@dataclass(frozen=True)
class Snapshot:
    """A seeded PostgreSQL schema kept as a copy (`schema`, one table per table) and where its id
    sequences stood: restored server-side in one round trip, parents first."""

    schema: str
    tables: list[str]
    sequences: dict[str, tuple[int, bool]]

    def restore(self, connection: Connection) -> None:
        # Names from our models and information_schema, never input.
        statements = [f'INSERT INTO "{name}" SELECT * FROM "{self.schema}"."{name}"' for name in self.tables]  # noqa: S608
        statements += [
            f"SELECT setval('\"{name}\"', {value}, {str(called).lower()})"
            for name, (value, called) in self.sequences.items()
        ]
        connection.exec_driver_sql("; ".join(statements))


# Seeding the demo costs ~40 ms a test; the suite has thousands. Each database is seeded once a run and
# copied: SQLite from a seeded template file, PostgreSQL from a copy of its rows in a schema of their own.
@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with transaction(engine) as session:
        seed(session=session, now=T0)
    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # all in the file that is copied
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_demo_snapshot(postgres_schema_url: str) -> Iterator[Snapshot]:
    engine = make_engine(postgres_schema_url, pool_size=1)
    with engine.begin() as connection:
        _clear(connection)
    with transaction(engine) as session:
        seed(session=session, now=T0)
    with engine.begin() as connection:
        copy = f"{connection.execute(text('SELECT current_schema()')).scalar_one()}_demo"
        connection.exec_driver_sql(f'CREATE SCHEMA "{copy}"')
        tables = []
        for table in SQLModel.metadata.sorted_tables:
            if connection.execute(select(func.count()).select_from(table)).scalar_one():
                connection.exec_driver_sql(
                    f'CREATE TABLE "{copy}"."{table.name}" AS SELECT * FROM "{table.name}"'  # noqa: S608
                )
                tables.append(table.name)
        sequences = {
            # Names from information_schema, not input.
            name: tuple(connection.execute(text(f'SELECT last_value, is_called FROM "{name}"')).one())  # noqa: S608
            for name in connection.execute(_SEQUENCES).scalars()
        }
    yield Snapshot(copy, tables, sequences)  # type: ignore[arg-type]
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{copy}" CASCADE')
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A clean database; already holding the demo village when the test asks for `demo`."""
    seeded = "demo" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "kentongan.db"
        shutil.copy(request.getfixturevalue("sqlite_demo_template") if seeded else sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_schema_url")
    snapshot: Snapshot | None = request.getfixturevalue("postgres_demo_snapshot") if seeded else None
    engine = make_engine(url, pool_size=1)
    with engine.begin() as connection:
        _clear(connection)
        if snapshot is not None:
            snapshot.restore(connection)
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def demo(engine: Engine) -> None:
    """The demo village, seeded at T0: copied in by `db_url` when the test names this fixture, seeded
    here when it was asked for another way (`request.getfixturevalue`)."""
    with engine.connect() as connection:
        if connection.execute(select(func.count()).select_from(Village)).scalar_one():
            return
    with transaction(engine) as session:
        seed(session=session, now=T0)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def make_settings(db_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "database_url": db_url,
        "public_base_url": PUBLIC_BASE_URL,
        "twilio_account_sid": "AC" + "0" * 32,
        "twilio_auth_token": TWILIO_TOKEN,
        # A scheduler started on the real clock must not escalate or digest the demo by the date the suite
        # happens to run; the tests of the chores turn them on.
        "scheduler_chores": False,
        **overrides,
    }
    return Settings.model_validate(values)


@pytest.fixture
def app(db_url: str, engine: Engine, clock: Clock, demo: None) -> FastAPI:
    return create_app(make_settings(db_url), engine=engine, clock=clock)


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run `app` on a real socket on 127.0.0.1 (with its lifespan); yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[str]:
    """The app on a real socket, so concurrent requests really race and providers can call back."""
    with serve(app) as url:
        yield url


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client
