"""Fixtures of the REST API tests."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.apiclient import Api, make_api
from tests.conftest import Clock


@pytest.fixture
def api(db_url: str, engine: Engine, clock: Clock, demo: None) -> Iterator[Api]:
    """The REST API over DEMO and LAIN, with a token for every caller."""
    yield from make_api(db_url, engine, clock)
