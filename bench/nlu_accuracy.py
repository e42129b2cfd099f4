"""How well messages are understood, on the labelled development and held-out sets, in one run.

For each set: intent, complaint category, information topic and about_head accuracy of
`handlers.understand`, next to the intent accuracy of a first-word keyword matcher (the RapidPro /
FrontlineSMS way: the first word exact-matched to a keyword list, anything else `other`), and a
confusion summary of intents (gold -> predicted, errors only).

    python -m bench.nlu_accuracy [dev] [holdout]    (both by default)
"""

import json
import string
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from handlers.understand import understand

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SETS = (("dev", DATA / "nlu_dev.jsonl"), ("holdout", DATA / "nlu_holdout.jsonl"))

# The keyword service residents would get from an off-the-shelf SMS platform.
BASELINE_KEYWORDS = {
    "aduan": "complaint",
    "lapor": "complaint",
    "cek": "status",
    "status": "status",
    "jadwal": "info",
    "dana": "info",
    "apbdes": "info",
    "sanksi": "info",
    "keputusan": "info",
    "program": "info",
    "layanan": "info",
    "daftar": "subscribe",
    "reg": "subscribe",
    "mulai": "subscribe",
    "berhenti": "unsubscribe",
    "stop": "unsubscribe",
    "unreg": "unsubscribe",
    "menu": "help",
    "bantuan": "help",
    "help": "help",
}
_STRIP = str.maketrans("", "", string.punctuation)


def baseline_intent(text: str) -> str:
    """First word, lower-cased and without punctuation, looked up in the keyword list."""
    words = text.lower().translate(_STRIP).split()
    return BASELINE_KEYWORDS.get(words[0], "other") if words else "other"


def ratio(ok: int, total: int) -> str:
    """ "ok/total = pct"."""
    pct = 100.0 * ok / total if total else 0.0
    return f"{ok:>4}/{total:<4} = {pct:5.1f}%"


def evaluate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Accuracy counts and the intent confusion of one labelled set."""
    n = len(rows)
    intent_ok = baseline_ok = category_ok = category_n = topic_ok = topic_n = head_ok = 0
    confusion: Counter[tuple[str, str]] = Counter()
    for row in rows:
        u = understand(row["text"])
        intent = u.intent.value
        intent_ok += intent == row["intent"]
        baseline_ok += baseline_intent(row["text"]) == row["intent"]
        if intent != row["intent"]:
            confusion[(row["intent"], intent)] += 1
        if row["intent"] == "complaint" and row.get("category") is not None:
            category_n += 1
            category_ok += u.category is not None and u.category.value == row["category"]
        if row["intent"] == "info" and row.get("topic") is not None:
            topic_n += 1
            topic_ok += u.topic is not None and u.topic.value == row["topic"]
        head_ok += u.about_head == bool(row.get("about_head"))
    return {
        "n": n,
        "intent": (intent_ok, n),
        "category": (category_ok, category_n),
        "topic": (topic_ok, topic_n),
        "about_head": (head_ok, n),
        "baseline": (baseline_ok, n),
        "confusion": confusion,
    }


def main(argv: list[str]) -> int:
    """Print the figures for the named labelled sets (all of them by default)."""
    wanted = set(argv) or {name for name, _ in SETS}
    started = time.perf_counter()
    printed = False
    for name, path in SETS:
        if name not in wanted:
            continue
        if not path.exists():
            print(f"{name}: {path} not found, skipped")
            continue
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        r = evaluate(rows)
        printed = True
        print(f"== {name} ({path.name}, {r['n']} messages)")
        print(f"  intent                          {ratio(*r['intent'])}")
        print(f"  complaint category              {ratio(*r['category'])}   (gold category not null)")
        print(f"  information topic               {ratio(*r['topic'])}")
        print(f"  about_head                      {ratio(*r['about_head'])}")
        print(f"  intent, first-word keywords     {ratio(*r['baseline'])}   (baseline)")
        confusion: Counter[tuple[str, str]] = r["confusion"]
        if confusion:
            errors = ", ".join(f"{gold}->{got} {k}" for (gold, got), k in confusion.most_common())
            print(f"  intent errors (gold->predicted) {errors}")
        else:
            print("  intent errors (gold->predicted) none")
    print(f"({time.perf_counter() - started:.2f} s)")
    return 0 if printed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
