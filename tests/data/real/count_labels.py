"""Print the count tables of tests/data/real/README.md: `cd tests/data/real && python3 count_labels.py`."""

import json
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = ("nlu_real_dev.jsonl", "nlu_real_dev2.jsonl", "nlu_real_holdout.jsonl", "nlu_real_holdout3.jsonl")
HEADS = ("dev", "dev2", "holdout", "holdout3")
ROWS = {name: [json.loads(line) for line in (HERE / name).open(encoding="utf-8")] for name in FILES}
Row = dict[str, object]


def table(name: str, key: Callable[[Row], object]) -> None:
    keys = sorted({key(row) for rows in ROWS.values() for row in rows}, key=str)
    print(f"| {name} | {' | '.join(HEADS)} |")
    print("|---|" + "---:|" * len(FILES))
    for value in keys:
        counts = [sum(1 for row in ROWS[f] if key(row) == value) for f in FILES]
        print(f"| {value} | {' | '.join(map(str, counts))} |")
    print(f"| **total** | {' | '.join(str(len(ROWS[f])) for f in FILES)} |")
    print()


table("intent", lambda r: r["intent"])
table("category", lambda r: r["category"] if r["intent"] == "complaint" else "(not a complaint)")
table("topic", lambda r: r["topic"] if r["intent"] == "info" else "(not info)")
table("about_head", lambda r: r["about_head"])
table("source_repo", lambda r: str(r["source"]).split(":")[0])
