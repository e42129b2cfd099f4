"""Fuzzing the REST API from its own OpenAPI schema (schemathesis): whatever a client sends, the answer
is never a 500, and a request the schema forbids is refused.

Every operation gets generated requests, valid and invalid, as a kader (acting on their own village)
and as the operator (acting on DEMO), over a real SQLite file seeded with the demo village. SQLite only,
to keep `make test` fast: the PostgreSQL paths are the same code, covered by the endpoint tests.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from bot.db import make_engine, transaction
from bot.demo import seed
from tests.apiclient import Api, make_api
from tests.conftest import T0, Clock

EXAMPLES = 12  # per operation, caller and mode: keeps the whole fuzz under a minute


@pytest.fixture
def fuzzed_api(tmp_path: Path, sqlite_template: Path) -> Iterator[Api]:
    """The app over a fresh SQLite copy with the demo village and a token for every caller."""
    path = tmp_path / "fuzz.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with transaction(engine) as session:
        seed(session=session, now=T0)
    try:
        yield from make_api(url, engine, Clock())
    finally:
        engine.dispose()


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
        if not operation.path.startswith("/api/v1"):
            continue
        operations += 1

        @FUZZ
        @given(case=operation.as_strategy(generation_mode=mode))
        def fuzz(case: Any) -> None:
            call_as(who, case, fuzzed_api)

        try:
            fuzz()
        except Exception as error:
            failures[f"{operation.method.upper()} {operation.path}"] = str(error)[:2000]
    assert operations >= 17
    assert not failures, "\n\n".join(f"{name}: {why}" for name, why in failures.items())
