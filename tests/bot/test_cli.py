"""The `kentongan` command line, run as operators run it (a real process, a real SQLite file)."""

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from bot.auth import hash_token
from bot.db import make_engine

KENTONGAN = [sys.executable, "-m", "bot.cli"]


def run(*args: str, db: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KENTONGAN_DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.run(
        [*KENTONGAN, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False
    )


def test_upgrade_demo_and_token(tmp_path: Path) -> None:
    db = tmp_path / "var" / "k.db"
    assert run("db", "upgrade", db=db).returncode == 0
    first = run("demo", db=db)
    assert first.returncode == 0, first.stderr
    assert "kader API token" in first.stdout
    token = first.stdout.strip().rsplit(" ", 1)[-1]
    again = run("demo", db=db)
    assert "already exists" in again.stdout
    assert "villages exist" in run("demo", "--if-empty", db=db).stdout
    created = run("token", "create", "--village", "DEMO", "--role", "bpd", "--name", "Ketua BPD", db=db)
    assert created.returncode == 0, created.stderr
    new_token = created.stdout.strip()
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        from sqlalchemy import text

        hashes = {row[0] for row in connection.execute(text("SELECT token_hash FROM api_token"))}
    engine.dispose()
    assert hashes == {hash_token(token), hash_token(new_token)}
    assert token not in str(hashes)


def test_tokens_can_be_revoked_once(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    run("db", "upgrade", db=db)
    run("demo", db=db)
    token = run(
        "token", "create", "--village", "DEMO", "--role", "kader", "--name", "Kader Baru", db=db
    ).stdout.strip()
    revoked = run("token", "revoke", token, db=db)
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked" in revoked.stdout
    again = run("token", "revoke", token, db=db)
    assert again.returncode == 2
    assert "already revoked" in again.stderr
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        from sqlalchemy import text

        revoked_at = connection.execute(
            text("SELECT revoked_at FROM api_token WHERE token_hash = :h"), {"h": hash_token(token)}
        ).scalar_one()
    engine.dispose()
    assert revoked_at is not None


def test_token_for_unknown_village_fails_clearly(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    run("db", "upgrade", db=db)
    result = run("token", "create", "--village", "NOPE", "--role", "kader", "--name", "X", db=db)
    assert result.returncode == 2
    assert "no village with code NOPE" in result.stderr


@pytest.mark.parametrize(
    ("text", "intent", "category", "topic"),
    [
        ("lampu jalan di RT 3 mati sdh seminggu", "complaint", "infrastruktur", None),
        ("kapan musdes?", "info", None, "jadwal"),
        ("terima kasih pak", "other", None, None),
    ],
)
def test_parse_json(tmp_path: Path, text: str, intent: str, category: str | None, topic: str | None) -> None:
    result = run("parse", "--json", text, db=tmp_path / "unused.db")
    assert result.returncode == 0, result.stderr
    parsed = orjson.loads(result.stdout)
    assert (parsed["intent"], parsed["category"], parsed["topic"]) == (intent, category, topic)
    assert parsed["about_head"] is False


def test_parse_stdin_one_json_per_line(tmp_path: Path) -> None:
    lines = ["CEK 482913", "", "BERHENTI", "😀😀", "kades korupsi dana desa"]
    result = run("parse", "--json", "-", db=tmp_path / "unused.db", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [o["intent"] for o in out] == ["status", "other", "unsubscribe", "other", "complaint"]
    assert out[0]["code"] == "482913"
    assert out[4]["about_head"] is True


def test_parse_human_output(tmp_path: Path) -> None:
    result = run("parse", "jalan rusak di dusun Krajan", db=tmp_path / "unused.db")
    assert "intent: complaint" in result.stdout
