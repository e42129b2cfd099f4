"""What every benchmark needs: a free loopback port, a prefix pinning a command to one core, JSON from a
fake's endpoint, and scratch PostgreSQL schemas."""

import json
import os
import shutil
import socket
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pin(core: int) -> list[str]:
    """A `taskset` prefix pinning a command to `core`, when taskset and a second core exist."""
    return ["taskset", "-c", str(core)] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else []


def fetch_json(url: str, method: str = "GET") -> Any:
    """The JSON a local endpoint answers (a fake provider's /stats, /reset)."""
    with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=30) as response:
        return json.loads(response.read())


def postgres_from_env() -> str | None:
    """The PostgreSQL server to measure on: KENTONGAN_BENCH_POSTGRES_URL, else the tests' one."""
    environ = os.environ
    return environ.get("KENTONGAN_BENCH_POSTGRES_URL") or environ.get("KENTONGAN_TEST_POSTGRES_URL") or None


@contextmanager
def scratch_schemas(postgres: str) -> Iterator[Callable[[str], str]]:
    """Yields `fresh(name)`, which creates the schema `name` and gives a URL whose connections work in it;
    every schema made so is dropped at the end."""
    from sqlalchemy import text

    from bot.db import make_engine

    admin = make_engine(postgres, pool_size=1)
    schemas: list[str] = []

    def fresh(schema: str) -> str:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        schemas.append(schema)
        return f"{postgres}{'&' if '?' in postgres else '?'}options=-csearch_path%3D{schema}"

    try:
        yield fresh
    finally:
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
