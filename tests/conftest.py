"""Shared fixtures: a real SQLite file and (when KENTONGAN_TEST_POSTGRES_URL is set) the real PostgreSQL.

Each test gets a clean database: SQLite copies a migrated template file; PostgreSQL migrates a private
schema once per run and truncates it between tests.
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
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel

from bot.app import create_app
from bot.db import make_engine, transaction, upgrade
from bot.demo import seed
from bot.settings import Settings

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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "kentongan.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_schema_url")
    engine = make_engine(url, pool_size=1)
    # DELETE, children first, and restart the id sequences: for tables this small it is 7x faster than
    # TRUNCATE, which costs a file operation per table, and the suite does this a thousand times.
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
        for sequence in connection.execute(_SEQUENCES).scalars():
            connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
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
    """The demo village, seeded at T0."""
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
