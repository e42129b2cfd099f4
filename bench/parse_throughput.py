"""Message-understanding throughput: `kentongan parse --json -` on one core, and understand() in-process.

Builds a file of N messages by cycling the labelled development texts (nlu_dev, nlu_holdout and
nlu_dev2; never the held-out set), pipes it through
`python -m bot.cli parse --json -` pinned to core 0 (so the figure includes interpreter start-up, stdin
reading, understanding, JSON encoding and writing), checks that one JSON line came back per message, and
prints messages/s. For reference it also prints the in-process rate of understand(...).as_dict() plus
orjson. The target is 20,000 messages/s for the CLI.

    python -m bench.parse_throughput [--messages 200000]
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from bench._util import pin
from handlers.understand import understand

ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT = tuple(
    ROOT / "tests" / "data" / name for name in ("nlu_dev.jsonl", "nlu_holdout.jsonl", "nlu_dev2.jsonl")
)
TARGET = 20_000


def messages(n: int) -> list[str]:
    """N message texts cycled from the development set (one line each)."""
    texts = [
        json.loads(line)["text"]
        for path in DEVELOPMENT
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    texts = [" ".join(t.split()) for t in texts]  # one message per line
    return [texts[i % len(texts)] for i in range(n)]


def in_process(texts: list[str]) -> float:
    """understand(...).as_dict() + orjson.dumps per message, messages/s (best of three passes)."""
    dumps = orjson.dumps
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for text in texts:
            dumps(understand(text).as_dict())
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def cli(path: Path, n: int) -> float:
    """The CLI over the file, messages/s; fails when the output has the wrong number of lines."""
    command = [*pin(0), sys.executable, "-m", "bot.cli", "parse", "--json", "-"]
    with path.open("rb") as stdin:
        started = time.perf_counter()
        done = subprocess.run(command, stdin=stdin, capture_output=True, cwd=ROOT, check=False)
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"parse failed ({done.returncode}): {done.stderr.decode(errors='replace')[-2000:]}")
    lines = done.stdout.splitlines()
    if len(lines) != n:
        raise SystemExit(f"parse wrote {len(lines)} lines for {n} messages")
    first = orjson.loads(lines[0])
    if not {"intent", "category", "topic", "about_head"} <= first.keys():
        raise SystemExit(f"unexpected output: {lines[0]!r}")
    return n / elapsed


def main() -> int:
    """Run both measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    args = parser.parse_args()
    n = args.messages
    texts = messages(n)
    rate = in_process(texts[: min(n, 50_000)])
    print(f"in-process understand()+as_dict()+orjson: {rate:>10,.0f} messages/s  ({1e6 / rate:.1f} us each)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "messages.txt"
        path.write_text("\n".join(texts) + "\n", encoding="utf-8")
        if not (ROOT / "bot" / "cli.py").exists():
            print("bot/cli.py not found: CLI throughput not measured")
            return 1
        cli_rate = cli(path, n)
    pinned = "pinned to core 0" if pin(0) else "not pinned"
    verdict = "ok" if cli_rate >= TARGET else f"BELOW the {TARGET:,}/s target"
    print(f"kentongan parse --json - ({n:,} messages, {pinned}): {cli_rate:>10,.0f} messages/s  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
