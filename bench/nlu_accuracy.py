"""How well messages are understood, on the labelled development and held-out sets, in one run.

For each set: intent, complaint category, information topic and about_head accuracy of
`handlers.understand` (and, for intent and category, of its rules alone, without the learned models),
next to the intent accuracy of a first-word keyword matcher (the RapidPro / FrontlineSMS way: the first
word exact-matched to a keyword list, anything else `other`), and for development sets a confusion
summary of intents (gold -> predicted, errors only).

Development sets (tuned on, and the models are trained on them): nlu_dev, nlu_holdout (held out once,
spent since), nlu_dev2. Held-out set (never tuned or trained on; evaluate it once, report what it says):
nlu_holdout2. For it only the totals are printed.

With --cv it also estimates generalisation on the development data: 5-fold cross-validation (stratified
by intent; the models refitted on four folds, tested on the fifth) and file rotations (refitted on two
files, tested on the third). The rules stay as they are, and they were tuned on all development data, so
these figures flatter the rules; the held-out set is the honest figure.

    python -m bench.nlu_accuracy [dev] [holdout] [dev2] [holdout2] [--cv]    (all sets by default)
"""

import argparse
import json
import string
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from handlers import train
from handlers import understand as understanding
from handlers.nlu_model import Scorer, TextModel
from handlers.understand import understand

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
# name, file, development data (tuned and trained on) or held out
SETS = (
    ("dev", DATA / "nlu_dev.jsonl", True),
    ("holdout", DATA / "nlu_holdout.jsonl", True),
    ("dev2", DATA / "nlu_dev2.jsonl", True),
    ("holdout2", DATA / "nlu_holdout2.jsonl", False),
)

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


def pct(ok: int, total: int) -> str:
    """ "pct%"."""
    return f"{100.0 * ok / total if total else 0.0:5.1f}%"


@contextmanager
def scorer(models: Scorer) -> Iterator[None]:
    """Let `understand` use other models for a while (cross-validation, rules alone)."""
    shipped = understanding._SCORER
    understanding._SCORER = models
    try:
        yield
    finally:
        understanding._SCORER = shipped


def no_models() -> Scorer:
    """Models that know nothing: uniform probabilities, so the rules alone decide."""
    return Scorer([TextModel(c.name, {"labels": list(c.labels), "weights": {}}) for c in train.CONFIGS])


def fitted_models(rows: Sequence[train.Row]) -> Scorer:
    """The models fitted on `rows`."""
    return Scorer([TextModel(c.name, train.spec_of(c, train.fit(c, rows))) for c in train.CONFIGS])


def evaluate(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
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


def report(name: str, path: Path, development: bool, rows: list[dict[str, Any]]) -> None:
    """Print the figures of one set."""
    r = evaluate(rows)
    with scorer(no_models()):
        alone = evaluate(rows)
    kind = "development data" if development else "HELD OUT: never tuned or trained on"
    print(f"== {name} ({path.name}, {r['n']} messages; {kind})")
    print(f"  intent                          {ratio(*r['intent'])}   rules alone {pct(*alone['intent'])}")
    print(
        f"  complaint category              {ratio(*r['category'])}   rules alone {pct(*alone['category'])}"
        "   (gold category not null)"
    )
    print(f"  information topic               {ratio(*r['topic'])}")
    print(f"  about_head                      {ratio(*r['about_head'])}")
    print(f"  intent, first-word keywords     {ratio(*r['baseline'])}   (baseline)")
    if not development:
        return
    confusion: Counter[tuple[str, str]] = r["confusion"]
    errors = ", ".join(f"{gold}->{got} {k}" for (gold, got), k in confusion.most_common()) or "none"
    print(f"  intent errors (gold->predicted) {errors}")


def cross_validation() -> None:
    """Print 5-fold cross-validation and file-rotation figures over the development data."""
    rows = train.load_rows([path for _, path, development in SETS if development])
    as_dicts = [
        {"text": r.text, "intent": r.intent, "category": r.category, "topic": r.topic, "about_head": False}
        for r in rows
    ]
    plans = [
        (
            "5-fold cross-validation",
            [(f"fold {n + 1}", f) for n, f in enumerate(train.stratified_folds(rows))],
        ),
        ("train on two files, test on the third", train.rotations(rows)),
    ]
    for title, splits in plans:
        total: Counter[str] = Counter()
        parts: list[str] = []
        for label, test in splits:
            held = set(test)
            with scorer(fitted_models([r for i, r in enumerate(rows) if i not in held])):
                r = evaluate([as_dicts[i] for i in test])
            for key in ("intent", "category", "topic"):
                total[key + "_ok"] += r[key][0]
                total[key + "_n"] += r[key][1]
            parts.append(f"{label} {pct(*r['intent']).strip()}/{pct(*r['category']).strip()}")
        figures = "  ".join(
            f"{key} {pct(total[key + '_ok'], total[key + '_n'])}" for key in ("intent", "category", "topic")
        )
        print(f"  {title:38} {figures}")
        print(f"    (intent/category per split: {'; '.join(parts)})")


def main(argv: list[str]) -> int:
    """Print the figures for the named labelled sets (all of them by default)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", metavar="SET", help="dev, holdout, dev2, holdout2 (default: all)")
    parser.add_argument("--cv", action="store_true", help="also cross-validate over the development data")
    args = parser.parse_args(argv)
    names = [name for name, _, _ in SETS]
    unknown = set(args.sets) - set(names)
    if unknown:
        parser.error(f"unknown set(s): {', '.join(sorted(unknown))}; choose from {', '.join(names)}")
    wanted = set(args.sets) or set(names)
    started = time.perf_counter()
    printed = False
    combined: list[dict[str, Any]] = []
    for name, path, development in SETS:
        if name not in wanted:
            continue
        if not path.exists():
            print(f"{name}: {path} not found, skipped")
            continue
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        report(name, path, development, rows)
        printed = True
        if development:
            combined += rows
    if len({name for name, _, development in SETS if development} & wanted) > 1:
        r = evaluate(combined)
        print(f"== development data combined ({r['n']} messages)")
        print(f"  intent {ratio(*r['intent'])}   complaint category {ratio(*r['category'])}")
    if args.cv:
        print(
            "== generalisation estimates over the development data (models refitted per split; rules fixed)"
        )
        cross_validation()
    print(f"({time.perf_counter() - started:.2f} s)")
    return 0 if printed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
