"""How well messages are understood, on the labelled development and held-out sets, in one run.

For each set: intent, complaint category, information topic and about_head of `handlers.understand`
(and, for intent and category, of its rules alone, without the learned models), next to the intent
accuracy of a first-word keyword matcher (the RapidPro / FrontlineSMS way: the first word exact-matched
to a keyword list, anything else `other`). For development sets also the intent errors (gold ->
predicted); for held-out sets only totals and confusion tables (intents; categories of complaints).

Development sets (tuned on, and the models are trained on them): nlu_dev, nlu_holdout (held out once,
spent since), nlu_dev2, and real/nlu_real_dev and real/nlu_real_dev2 (real residents' messages to
public complaint channels).
Held-out sets (never tuned or trained on; evaluate them once, report what they say): nlu_holdout2,
real/nlu_real_holdout (looked at twice while the rules were written: no longer quite independent) and
real/nlu_real_holdout3 (built afterwards by someone who never ran this code on it; the honest figure).

With --cv it also estimates generalisation on the development data: 5-fold cross-validation (stratified
by intent; the models refitted on four folds, tested on the fifth) and file rotations (refitted on the
other files, tested on one), for each model alone and for understand() as a whole. --compare does the
same for every candidate fit in `handlers.train.CANDIDATES`. The rules stay as they are, and they were
tuned on all development data, so the blended figures flatter the rules; the held-out sets are the
honest figure.

    python -m bench.nlu_accuracy [SET ...] [--cv | --compare]    (all sets by default)
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

DATA = train.DATA
# name, file, development data (tuned and trained on) or held out
SETS = (
    ("dev", DATA / "nlu_dev.jsonl", True),
    ("holdout", DATA / "nlu_holdout.jsonl", True),
    ("dev2", DATA / "nlu_dev2.jsonl", True),
    ("real", DATA / "real" / "nlu_real_dev.jsonl", True),
    ("real2", DATA / "real" / "nlu_real_dev2.jsonl", True),
    ("holdout2", DATA / "nlu_holdout2.jsonl", False),
    ("real-holdout", DATA / "real" / "nlu_real_holdout.jsonl", False),
    ("real-holdout3", DATA / "real" / "nlu_real_holdout3.jsonl", False),
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


def evaluate(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Accuracy counts, about_head's confusion and the intent and category confusions of one set."""
    n = len(rows)
    intent_ok = baseline_ok = category_ok = category_n = topic_ok = topic_n = 0
    head: Counter[str] = Counter()
    intents: Counter[tuple[str, str]] = Counter()
    categories: Counter[tuple[str, str]] = Counter()
    for row in rows:
        u = understand(row["text"])
        intent = u.intent.value
        intent_ok += intent == row["intent"]
        baseline_ok += baseline_intent(row["text"]) == row["intent"]
        intents[(row["intent"], intent)] += 1
        if row["intent"] == "complaint" and row.get("category") is not None:
            category_n += 1
            got = u.category.value if u.category is not None else "-"
            category_ok += got == row["category"]
            categories[(row["category"], got)] += 1
        if row["intent"] == "info" and row.get("topic") is not None:
            topic_n += 1
            topic_ok += u.topic is not None and u.topic.value == row["topic"]
        gold_head = bool(row.get("about_head"))
        head[("tn", "fp", "fn", "tp")[2 * gold_head + u.about_head]] += 1
    return {
        "n": n,
        "intent": (intent_ok, n),
        "category": (category_ok, category_n),
        "topic": (topic_ok, topic_n),
        "about_head": (head["tp"] + head["tn"], n),
        "head": head,
        "baseline": (baseline_ok, n),
        "intents": intents,
        "categories": categories,
    }


def head_figures(head: Counter[str]) -> str:
    """about_head precision and recall from its confusion counts."""
    tp, fp, fn = head["tp"], head["fp"], head["fn"]
    return f"precision {tp}/{tp + fp} = {pct(tp, tp + fp)}, recall {tp}/{tp + fn} = {pct(tp, tp + fn)}"


_SHORT = {
    "complaint": "compl",
    "status": "stat",
    "subscribe": "sub",
    "unsubscribe": "unsub",
    "infrastruktur": "infra",
    "air_sanitasi": "air",
    "kesehatan": "kes",
    "pendidikan": "pend",
    "ekonomi": "eko",
    "lingkungan": "ling",
    "bencana": "benc",
    "bansos": "bans",
    "administrasi": "adm",
    "tata_kelola": "tata",
    "keamanan": "keam",
    "lainnya": "lain",
}


def confusion_table(title: str, counts: Counter[tuple[str, str]], labels: Sequence[str]) -> None:
    """Gold labels down, predicted across ("-": no category), only the labels that occur."""
    used = [x for x in labels if any(x in pair for pair in counts)]
    predicted = used + (["-"] if any(got == "-" for _, got in counts) else [])
    width = 6
    none = ', "-": not read as a complaint' if "-" in predicted else ""
    print(f"  {title} (gold down, predicted across{none})")
    print("    " + " " * 13 + "".join(f"{_SHORT.get(x, x)[:width]:>{width + 1}}" for x in predicted))
    for gold in used:
        total = sum(counts[(gold, got)] for got in predicted)
        if total == 0:
            continue
        cells = "".join(f"{counts[(gold, got)] or '.':>{width + 1}}" for got in predicted)
        print(f"    {gold[:12]:<13}{cells}   {pct(counts[(gold, gold)], total)} of {total}")


def report(name: str, path: Path, development: bool, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Print the figures of one set (and return them)."""
    r = evaluate(rows)
    with scorer(no_models()):
        alone = evaluate(rows)
    kind = "development data" if development else "HELD OUT: never tuned or trained on"
    print(f"== {name} ({path.relative_to(DATA)}, {r['n']} messages; {kind})")
    print(f"  intent                          {ratio(*r['intent'])}   rules alone {pct(*alone['intent'])}")
    print(
        f"  complaint category              {ratio(*r['category'])}   rules alone {pct(*alone['category'])}"
        "   (gold category not null)"
    )
    print(f"  information topic               {ratio(*r['topic'])}")
    print(f"  about_head                      {ratio(*r['about_head'])}   {head_figures(r['head'])}")
    print(f"  intent, first-word keywords     {ratio(*r['baseline'])}   (baseline)")
    if development:
        errors = Counter({pair: k for pair, k in r["intents"].items() if pair[0] != pair[1]})
        listed = ", ".join(f"{gold}->{got} {k}" for (gold, got), k in errors.most_common()) or "none"
        print(f"  intent errors (gold->predicted) {listed}")
    else:
        confusion_table("intents", r["intents"], train.INTENTS)
        confusion_table("complaint categories", r["categories"], train.CATEGORIES)
    return r


def _as_dict(r: train.Row) -> dict[str, Any]:
    return {
        "text": r.text,
        "intent": r.intent,
        "category": r.category,
        "topic": r.topic,
        "about_head": r.about_head,
    }


def cross_validation(candidates: dict[str, tuple[train.ModelConfig, ...]]) -> None:
    """Print, per candidate fit and plan (5-fold cross-validation, file rotations), each model alone and
    understand() as a whole with the models refitted per split."""
    rows = train.development_rows()
    as_dicts = [_as_dict(r) for r in rows]
    print(
        f"  {'fit':24} {'plan':9} | alone: intent category topic  about_head P/R"
        " | blended: intent category topic  about_head P/R"
    )
    for name, configs in candidates.items():
        for title, plan in train.splits(rows):
            alone = train.AloneCounts()
            blended: Counter[str] = Counter()
            head: Counter[str] = Counter()
            for _, test in plan:
                held = set(test)
                models = train.fit_models(configs, [r for i, r in enumerate(rows) if i not in held])
                alone.add(train.model_alone(configs, models, [rows[i] for i in test]))
                with scorer(Scorer(models)):
                    r = evaluate([as_dicts[i] for i in test])
                for key in ("intent", "category", "topic"):
                    blended[key + "_ok"] += r[key][0]
                    blended[key + "_n"] += r[key][1]
                head.update(r["head"])
            a = [
                pct(alone.correct[key], alone.total[key]) for key in ("intent", "category", "topic")
            ]  # alone
            p, rc = train.precision_recall(alone.head)
            b = [pct(blended[key + "_ok"], blended[key + "_n"]) for key in ("intent", "category", "topic")]
            bp, brc = train.precision_recall(head)
            plan_name = "5-fold" if title.startswith("5") else "rotations"
            print(
                f"  {name:24} {plan_name:9} | {a[0]:>13} {a[1]:>8} {a[2]:>5}  {100 * p:5.1f}/{100 * rc:5.1f}"
                f" | {b[0]:>15} {b[1]:>8} {b[2]:>5}  {100 * bp:5.1f}/{100 * brc:5.1f}"
            )


def main(argv: list[str]) -> int:
    """Print the figures for the named labelled sets (all of them by default)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    names = [name for name, _, _ in SETS]
    parser.add_argument("sets", nargs="*", metavar="SET", help=f"{', '.join(names)} (default: all)")
    parser.add_argument("--cv", action="store_true", help="also cross-validate the shipped fit")
    parser.add_argument("--compare", action="store_true", help="also cross-validate every candidate fit")
    args = parser.parse_args(argv)
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
    if args.cv or args.compare:
        print("== generalisation on the development data (models refitted per split; rules fixed)")
        cross_validation(train.CANDIDATES if args.compare else {"shipped": train.CONFIGS})
    print(f"({time.perf_counter() - started:.2f} s)")
    return 0 if printed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
