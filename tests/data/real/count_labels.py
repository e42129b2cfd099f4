"""Print the count tables of tests/data/real/README.md: `cd tests/data/real && python3 count_labels.py`."""

import json
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = ("nlu_real_dev.jsonl", "nlu_real_holdout.jsonl")
ROWS = {name: [json.loads(line) for line in (HERE / name).open(encoding="utf-8")] for name in FILES}
Row = dict[str, object]


def table(name: str, key: Callable[[Row], object]) -> None:
    keys = sorted({key(row) for rows in ROWS.values() for row in rows}, key=str)
    print(f"| {name} | dev | holdout |")
    print("|---|---:|---:|")
    for value in keys:
        counts = [sum(1 for row in ROWS[f] if key(row) == value) for f in FILES]
        print(f"| {value} | {counts[0]} | {counts[1]} |")
    print(f"| **total** | {len(ROWS[FILES[0]])} | {len(ROWS[FILES[1]])} |")
    print()


table("intent", lambda r: r["intent"])
table("category", lambda r: r["category"] if r["intent"] == "complaint" else "(not a complaint)")
table("topic", lambda r: r["topic"] if r["intent"] == "info" else "(not info)")
table("about_head", lambda r: r["about_head"])
table("source_repo", lambda r: str(r["source"]).split(":")[0])
