"""Fuzzing every HTTP operation from the app's own OpenAPI schema (schemathesis): the REST API, Open311,
the webhooks and health. Whatever a client sends, the answer is never a 500.

Every operation gets generated requests, valid and invalid, as a kader (acting on their own village)
and as the operator (acting on DEMO), over SQLite and over PostgreSQL (which refuses what SQLite
stores: NUL characters, integers past 32 bits), each seeded with the demo village.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy import Engine

from tests.apiclient import Api, make_api
from tests.conftest import Clock

EXAMPLES = 8  # per operation, caller, mode and database: the whole fuzz in under a minute of CPU


@pytest.fixture
def fuzzed_api(db_url: str, engine: Engine, demo: None) -> Iterator[Api]:
    """The app over a fresh database (SQLite or PostgreSQL) with the demo village and every token."""
    yield from make_api(db_url, engine, Clock())


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


def call_as(who: str, case: Any, api: Api) -> None:
    """Send the generated request with the caller's token; no 500, and what the schema forbids is refused."""
    if who == "operator":
        case.query = {**(case.query or {}), "village": "DEMO"}
    elif case.query:
        case.query.pop("village", None)
    response = case.call(headers={"Authorization": f"Bearer {api.tokens[who]}"})
    case.validate_response(response, checks=[not_a_server_error])


@pytest.mark.parametrize("who", ["kader", "operator"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_gets_a_server_error(fuzzed_api: Api, who: str, mode: GenerationMode) -> None:
    # schemathesis' own pytest loader cannot take fixtures on pytest 9, so each operation's Hypothesis
    # strategy is driven here; every failing operation is reported, not only the first.
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_api.app)
    failures: dict[str, str] = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @FUZZ
        @given(case=operation.as_strategy(generation_mode=mode))
        def fuzz(case: Any) -> None:
            call_as(who, case, fuzzed_api)

        try:
            fuzz()
        except Unsatisfiable:
            continue  # nothing in the request can be made invalid (no parameters, no body)
        except Exception as error:
            failures[f"{operation.method.upper()} {operation.path}"] = str(error)[:2000]
    assert operations >= 50  # the REST API, Open311, the webhooks, health
    assert not failures, "\n\n".join(f"{name}: {why}" for name, why in failures.items())
