"""Fit the learned half of understanding on the labelled development messages, deterministically.

    python -m handlers.train            write handlers/data/nlu_model.json from the development sets
    python -m handlers.train --check    exit 1 when the shipped file differs from a fresh fit
    python -m handlers.train --cv       also print each model's own accuracy in 5-fold cross-validation
                                        and in file rotations (the blend with the rules:
                                        python -m bench.nlu_accuracy)

Three models (`handlers.nlu_model`): intent (multinomial logistic regression by AdaGrad with L2) and
complaint category and information topic (multinomial Naive Bayes, which beat the regression in
cross-validation with a few dozen examples per class). Plain Python, a fixed shuffle seed and a fixed
iteration order: the same data gives the same file. Only the development sets (tests/data, DEV_FILES)
are read; the held-out set nlu_holdout2.jsonl never is. Run from a checkout (the data is not packaged).
"""

import argparse
import json
import math
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handlers.nlu_model import MODEL_FILE, message_features
from handlers.normalize import tokens

__all__ = [
    "DEV_FILES",
    "ModelConfig",
    "Row",
    "featurize",
    "fit_all",
    "load_rows",
    "rotations",
    "stratified_folds",
]

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
# Development data only (see bench/nlu_accuracy.py); nlu_holdout2.jsonl is held out.
DEV_FILES = ("nlu_dev.jsonl", "nlu_holdout.jsonl", "nlu_dev2.jsonl")
OUTPUT = Path(__file__).resolve().parent / MODEL_FILE


@dataclass(frozen=True)
class Row:
    """One labelled message."""

    text: str
    intent: str
    category: str | None
    topic: str | None
    source: str


@dataclass(frozen=True)
class ModelConfig:
    """How one model is fitted."""

    name: str
    kind: str  # "lr" or "nb"
    labels: tuple[str, ...]
    select: Callable[[Row], str | None]  # the row's label, or None to leave the row out
    ignore: frozenset[str] = frozenset()  # words the model does not look at
    params: dict[str, float] = field(default_factory=dict)


INTENTS = ("complaint", "status", "info", "subscribe", "unsubscribe", "help", "other")
CATEGORIES = (
    "infrastruktur",
    "air_sanitasi",
    "kesehatan",
    "pendidikan",
    "ekonomi",
    "lingkungan",
    "bencana",
    "bansos",
    "administrasi",
    "tata_kelola",
    "keamanan",
    "lainnya",
)
TOPICS = ("jadwal", "dana_desa", "keputusan", "program", "layanan")
# Words that ask for anonymity or confidentiality (and the pronouns around them) say nothing about what a
# complaint is about; the category model does not look at them.
_FLAG_SPEC = """
    anonim anonymous anon anonimus rahasia konfidensial confidential nama namaku identitas identitasku
    rahasiakan dirahasiakan merahasiakan sebut disebut sebutkan disebutkan sembunyikan disembunyikan
    samarkan disamarkan tutupi ditutupi cantumkan dicantumkan ditampilkan tampilkan tanpa jangan saya
    aku kami
"""
FLAG_WORDS = frozenset(_FLAG_SPEC.split())

CONFIGS = (
    ModelConfig(
        "intent",
        "lr",
        INTENTS,
        lambda r: r.intent,
        params={"epochs": 20, "rate": 0.3, "l2": 1e-4, "epsilon": 0.2},
    ),
    ModelConfig(
        "category",
        "nb",
        CATEGORIES,
        lambda r: r.category if r.intent == "complaint" else None,
        ignore=FLAG_WORDS,
        params={"alpha": 0.2},
    ),
    ModelConfig(
        "topic",
        "nb",
        TOPICS,
        lambda r: r.topic if r.intent == "info" else None,
        params={"alpha": 0.2},
    ),
)

Vector = dict[str, float]


def load_rows(paths: Sequence[Path]) -> list[Row]:
    """The labelled messages of the given JSON-lines files, in file order."""
    rows: list[Row] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                rows.append(Row(d["text"], d["intent"], d.get("category"), d.get("topic"), path.name))
    return rows


def featurize(text: str, ignore: frozenset[str] = frozenset()) -> Vector:
    """Feature values of a message, exactly as the models sum them at run time."""
    vec: Vector = defaultdict(float)
    for f in message_features(tokens(text), text, ignore):
        vec[f] += 1.0
    return dict(vec)


def _fit_lr(xs: list[Vector], ys: list[int], k: int, params: dict[str, float]) -> dict[str, list[float]]:
    """Multinomial logistic regression by AdaGrad SGD with L2 (deterministic shuffle)."""
    index: dict[str, int] = {}
    rows: list[tuple[list[int], list[float]]] = []
    for x in xs:
        ids = [index.setdefault(f, len(index)) for f in sorted(x)]
        rows.append((ids, [x[f] for f in sorted(x)]))
    weights = [[0.0] * k for _ in index]
    sq = [[1e-8] * k for _ in index]
    rate, l2 = params["rate"], params["l2"]
    order = list(range(len(rows)))
    rng = random.Random(20240601)
    classes = range(k)
    for _ in range(int(params["epochs"])):
        rng.shuffle(order)
        for n in order:
            ids, vals = rows[n]
            s = [0.0] * k
            for i, v in zip(ids, vals, strict=True):
                w = weights[i]
                for c in classes:
                    s[c] += w[c] * v
            m = max(s)
            e = [math.exp(a - m) for a in s]
            z = sum(e)
            p = [a / z for a in e]
            p[ys[n]] -= 1.0
            for i, v in zip(ids, vals, strict=True):
                w = weights[i]
                g = sq[i]
                for c in classes:
                    grad = p[c] * v + l2 * w[c]
                    g[c] += grad * grad
                    w[c] -= rate * grad / math.sqrt(g[c])
    names = sorted(index, key=index.__getitem__)
    return {f: weights[index[f]] for f in names}


def _fit_nb(
    xs: list[Vector], ys: list[int], k: int, params: dict[str, float]
) -> tuple[dict[str, list[float]], list[float]]:
    """Multinomial Naive Bayes with additive smoothing, split into sparse weights and a unit vector.

    log P(f | c) = log(1 + n(f, c) / alpha) + log(alpha / total(c)): the first term is zero for classes
    that never saw f (sparse), the second is the same for every known feature (the "unit" vector, added
    once per known feature at run time). Features seen in fewer than `min_df` messages are left out;
    the class prior goes to the "bias" feature.
    """
    alpha = params["alpha"]
    min_df = int(params.get("min_df", 1))
    df: Counter[str] = Counter()
    for x in xs:
        df.update(f for f in x if f != "bias")
    counts: list[defaultdict[str, float]] = [defaultdict(float) for _ in range(k)]
    for x, y in zip(xs, ys, strict=True):
        for f, v in x.items():
            if f != "bias" and df[f] >= min_df:
                counts[y][f] += v
    vocab = sorted({f for c in counts for f in c})
    totals = [math.fsum(c.values()) + alpha * len(vocab) for c in counts]
    weights = {f: [math.log1p(counts[c].get(f, 0.0) / alpha) for c in range(k)] for f in vocab}
    prior = Counter(ys)
    weights["bias"] = [math.log((prior[c] + 1) / (len(ys) + k)) for c in range(k)]
    return weights, [math.log(alpha / totals[c]) for c in range(k)]


@dataclass
class Fitted:
    """A fitted model: weights per feature and, for Naive Bayes, the unit vector."""

    weights: dict[str, list[float]]
    unit: list[float] | None


def fit(config: ModelConfig, rows: Sequence[Row]) -> Fitted:
    """One model fitted on the rows it selects."""
    xs: list[Vector] = []
    ys: list[int] = []
    for r in rows:
        label = config.select(r)
        if label is not None:
            xs.append(featurize(r.text, config.ignore))
            ys.append(config.labels.index(label))
    unit: list[float] | None = None
    if config.kind == "lr":
        weights = _fit_lr(xs, ys, len(config.labels), config.params)
    else:
        weights, unit = _fit_nb(xs, ys, len(config.labels), config.params)
    return Fitted(weights, unit)


def _sparse(weights: dict[str, list[float]], *, centre: bool, epsilon: float) -> dict[str, list[float]]:
    """Each feature's weights as a flat [label index, weight, ...] list, rounded, near-zero ones dropped.

    With `centre` (logistic regression) each feature's weights are first shifted by their median: a
    softmax ignores a shift, and most become zero.
    """
    out: dict[str, list[float]] = {}
    for f in sorted(weights):
        w = weights[f]
        c = (w[0] if f == "bias" else sorted(w)[len(w) // 2]) if centre else 0.0
        flat: list[float] = []
        for i, x in enumerate(w):
            if abs(x - c) >= epsilon:
                flat += [i, round(x - c, 3)]
        if flat:
            out[f] = flat
    return out


def spec_of(config: ModelConfig, fitted: Fitted) -> dict[str, Any]:
    """The JSON-ready description of one fitted model (what `TextModel` reads)."""
    spec: dict[str, Any] = {
        "labels": list(config.labels),
        "ignore": sorted(config.ignore),
        "weights": _sparse(
            fitted.weights, centre=config.kind == "lr", epsilon=config.params.get("epsilon", 5e-3)
        ),
    }
    if fitted.unit is not None:
        spec["unit"] = [round(u, 4) for u in fitted.unit]
    return spec


def fit_all(rows: Sequence[Row]) -> dict[str, Any]:
    """The weights file contents for all models fitted on `rows`."""
    models = {config.name: spec_of(config, fit(config, rows)) for config in CONFIGS}
    return {"trained_on": sorted({r.source for r in rows}), "models": models}


def encode(spec: dict[str, Any]) -> bytes:
    """The weights file bytes (compact JSON, one model per line, stable key order)."""
    lines = [json.dumps({"trained_on": spec["trained_on"]})[:-1] + ', "models": {']
    names = list(spec["models"])
    for n, name in enumerate(names):
        body = json.dumps(spec["models"][name], separators=(",", ":"), sort_keys=True)
        lines.append(json.dumps(name) + ": " + body + ("," if n + 1 < len(names) else ""))
    lines.append("}}")
    return ("\n".join(lines) + "\n").encode()


def stratified_folds(rows: Sequence[Row], k: int = 5, seed: int = 7) -> list[list[int]]:
    """K folds of row indices, stratified by intent. Messages that normalise alike ("STOP", "stop.")
    share a fold, so that no fold is tested on a copy of what it was trained on."""
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(" ".join(tokens(r.text)), []).append(i)
    by_intent: dict[str, list[list[int]]] = defaultdict(list)
    for ids in groups.values():
        by_intent[rows[ids[0]].intent].append(ids)
    rng = random.Random(seed)
    folds: list[list[int]] = [[] for _ in range(k)]
    j = 0
    for intent in sorted(by_intent):
        members = by_intent[intent]
        rng.shuffle(members)
        for ids in members:
            folds[j % k].extend(ids)
            j += 1
    return [sorted(f) for f in folds]


def rotations(rows: Sequence[Row]) -> list[tuple[str, list[int]]]:
    """For each development file, the indices of its rows (train on the others, test on it)."""
    return [(name, [i for i, r in enumerate(rows) if r.source == name]) for name in DEV_FILES]


def _model_alone(rows: Sequence[Row], splits: Sequence[tuple[str, list[int]]]) -> None:
    """Print each model's own accuracy on each split (no rules)."""
    from handlers.nlu_model import TextModel

    for config in CONFIGS:
        ok = total = 0
        parts = []
        for name, test in splits:
            held = set(test)
            fitted = fit(config, [r for i, r in enumerate(rows) if i not in held])
            model = TextModel(config.name, spec_of(config, fitted))
            a = b = 0
            for i in test:
                gold = config.select(rows[i])
                if gold is None:
                    continue
                s = model.scores(tokens(rows[i].text), rows[i].text)
                a += config.labels[max(range(len(s)), key=s.__getitem__)] == gold
                b += 1
            parts.append(f"{name} {a}/{b}")
            ok, total = ok + a, total + b
        print(f"  {config.name:9} {ok}/{total} = {100 * ok / total:5.1f}%   ({', '.join(parts)})")


def main(argv: list[str]) -> int:
    """Fit on the development data and write (or check) the weights file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped file, write nothing")
    parser.add_argument("--cv", action="store_true", help="print model-alone cross-validation figures")
    args = parser.parse_args(argv)
    rows = load_rows([DATA / name for name in DEV_FILES])
    if args.cv:
        folds = stratified_folds(rows)
        print("model alone, 5-fold cross-validation:")
        _model_alone(rows, [(f"fold{n + 1}", f) for n, f in enumerate(folds)])
        print("model alone, train on two files, test on the third:")
        _model_alone(rows, rotations(rows))
    data = encode(fit_all(rows))
    if args.check:
        same = OUTPUT.exists() and OUTPUT.read_bytes() == data
        print(f"{OUTPUT.name}: {'up to date' if same else 'DIFFERS from a fresh fit'}")
        return 0 if same else 1
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_bytes(data)
    print(f"wrote {OUTPUT} ({len(data):,} bytes, {len(rows)} messages)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
