"""Fit the learned half of understanding on the labelled development messages, deterministically.

    python -m handlers.train            write handlers/data/nlu_model.json from the development sets
    python -m handlers.train --check    exit 1 when the shipped file differs from a fresh fit
    python -m handlers.train --cv       also print each model's own figures in 5-fold cross-validation
                                        and in file rotations (the blend with the rules, which is what
                                        counts: python -m bench.nlu_accuracy --cv)

Four models (`handlers.nlu_model`): intent, complaint category, information topic and about_head (is a
complaint about the village head himself), each fitted by scikit-learn (a development extra: run time
reads the exported weights and needs none of it). `CANDIDATES` are the fits compared in
cross-validation (bench/README.md has the table); `CONFIGS` is the one shipped. The same data gives the
same file: fixed solvers and seeds, one BLAS thread, sorted features, rounded weights. Only the
development sets (tests/data, DEV_FILES) are read; the held-out sets nlu_holdout2.jsonl,
real/nlu_real_holdout.jsonl and real/nlu_real_holdout3.jsonl never are. Run from a checkout (the data
is not packaged).
"""

import argparse
import json
import math
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from handlers.nlu_model import MODEL_FILE, Chars, TextModel, length_scale, message_features
from handlers.normalize import tokens

__all__ = [
    "CANDIDATES",
    "CONFIGS",
    "DEV_FILES",
    "ModelConfig",
    "Row",
    "check",
    "featurize",
    "fit",
    "fit_all",
    "load_rows",
    "rotations",
    "spec_of",
    "stratified_folds",
]

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
# Development data only (see bench/nlu_accuracy.py): the project's own three files and the real
# residents' development set. nlu_holdout2.jsonl and real/nlu_real_holdout*.jsonl are held out.
DEV_FILES = (
    "nlu_dev.jsonl",
    "nlu_holdout.jsonl",
    "nlu_dev2.jsonl",
    "real/nlu_real_dev.jsonl",
    "real/nlu_real_dev2.jsonl",
)
OUTPUT = Path(__file__).resolve().parent / MODEL_FILE


@dataclass(frozen=True)
class Row:
    """One labelled message; `source` is its file, relative to tests/data."""

    text: str
    intent: str
    category: str | None
    topic: str | None
    about_head: bool
    source: str


@dataclass(frozen=True)
class ModelConfig:
    """How one model is fitted.

    kind: "adagrad" (multinomial logistic regression by AdaGrad, plain Python: the fit before
    scikit-learn), "nb" (multinomial Naive Bayes, plain Python), "logreg" (scikit-learn
    LogisticRegression, L2, Newton-CG), "svm" (scikit-learn LinearSVC, squared hinge, L2).
    """

    name: str
    kind: str
    labels: tuple[str, ...]
    select: Callable[[Row], str | None]  # the row's label, or None to leave the row out
    ignore: frozenset[str] = frozenset()  # words the model does not look at
    chars: Chars = None  # character n-gram lengths (lo, hi), or none
    scaled: bool = False  # feature values times 1/sqrt(tokens) (see handlers.nlu_model)
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
BINARY = ("false", "true")
# Words that ask for anonymity or confidentiality (and the pronouns around them) say nothing about what a
# complaint is about; the category model does not look at them.
_FLAG_SPEC = """
    anonim anonymous anon anonimus rahasia konfidensial confidential nama namaku identitas identitasku
    rahasiakan dirahasiakan merahasiakan sebut disebut sebutkan disebutkan sembunyikan disembunyikan
    samarkan disamarkan tutupi ditutupi cantumkan dicantumkan ditampilkan tampilkan tanpa jangan saya
    aku kami
"""
FLAG_WORDS = frozenset(_FLAG_SPEC.split())


def _intent(r: Row) -> str | None:
    return r.intent


def _category(r: Row) -> str | None:
    return r.category if r.intent == "complaint" else None


def _topic(r: Row) -> str | None:
    return r.topic if r.intent == "info" else None


def _about_head(r: Row) -> str | None:
    # Only complaints: the rules decide the intent first, and a question about the head is no accusation.
    return BINARY[r.about_head] if r.intent == "complaint" else None


def _heads(
    kind: str,
    chars: Chars,
    intent: dict[str, float],
    other: dict[str, float],
    head: dict[str, float],
    *,
    scaled: bool = False,
) -> tuple[ModelConfig, ...]:
    """The four models fitted one way."""
    return (
        ModelConfig("intent", kind, INTENTS, _intent, chars=chars, scaled=scaled, params=intent),
        ModelConfig(
            "category",
            kind,
            CATEGORIES,
            _category,
            ignore=FLAG_WORDS,
            chars=chars,
            scaled=scaled,
            params=other,
        ),
        ModelConfig("topic", kind, TOPICS, _topic, chars=chars, scaled=scaled, params=other),
        ModelConfig("about_head", kind, BINARY, _about_head, chars=chars, scaled=scaled, params=head),
    )


_ADAGRAD = {"epochs": 20, "rate": 0.3, "l2": 1e-4, "epsilon": 0.2}
_NB = {"alpha": 0.2}
CHARS: Chars = (2, 5)
# Chosen in cross-validation (bench/README.md): C is the inverse regularisation strength, "balanced"
# weighs the rare about_head class up, "epsilon" is the smallest weight kept in the file.
_LOGREG = {"C": 10.0, "epsilon": 0.05}
_SVM = {"C": 1.0, "epsilon": 0.03}
_HEAD = {**_LOGREG, "balanced": 1.0}


def _mixed(intent: Sequence[ModelConfig], other: Sequence[ModelConfig]) -> tuple[ModelConfig, ...]:
    """Intent and about_head from the first fit, category and topic from the second."""
    return (intent[0], other[1], other[2], intent[3])


_HAND = tuple(
    c if c.name in ("intent", "about_head") else replace(c, kind="nb", params=_NB)
    for c in _heads("adagrad", None, _ADAGRAD, _ADAGRAD, _ADAGRAD)
)
_LOGREG_CHARS = _heads("logreg", CHARS, _LOGREG, _LOGREG, _HEAD, scaled=True)
_SVM_CHARS = _heads("svm", CHARS, _SVM, _SVM, {**_SVM, "balanced": 1.0}, scaled=True)

# The fits compared in cross-validation (python -m bench.nlu_accuracy --compare).
CANDIDATES: dict[str, tuple[ModelConfig, ...]] = {
    # Before scikit-learn: AdaGrad logistic regression for intent (and about_head), Naive Bayes for
    # category and topic, words only.
    "hand-written": _HAND,
    "logreg words": _heads("logreg", None, _LOGREG, _LOGREG, _HEAD, scaled=True),
    "logreg words+chars": _LOGREG_CHARS,
    "SVM words+chars": _SVM_CHARS,
    "logreg + SVM (shipped)": _mixed(_LOGREG_CHARS, _SVM_CHARS),
}
# The shipped fit: logistic regression where the blend reads log-odds (the intent margins, about_head's
# threshold), the linear SVM where it was the better classifier and only its ranking matters (category
# and topic, blended through a softmax at `handlers.blend._MODEL_TEMPERATURE`).
CONFIGS: tuple[ModelConfig, ...] = CANDIDATES["logreg + SVM (shipped)"]

Vector = dict[str, float]


def load_rows(paths: Sequence[Path]) -> list[Row]:
    """The labelled messages of the given JSON-lines files, in file order."""
    rows: list[Row] = []
    for path in paths:
        source = path.relative_to(DATA).as_posix() if path.is_relative_to(DATA) else path.name
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                rows.append(
                    Row(
                        d["text"],
                        d["intent"],
                        d.get("category"),
                        d.get("topic"),
                        bool(d.get("about_head")),
                        source,
                    )
                )
    return rows


def development_rows() -> list[Row]:
    """Every development message (DEV_FILES)."""
    return load_rows([DATA / name for name in DEV_FILES])


def featurize(
    text: str, ignore: frozenset[str] = frozenset(), chars: Chars = None, scaled: bool = False
) -> Vector:
    """Feature values of a message, exactly as the models sum them at run time."""
    toks = tokens(text)
    vec: Vector = defaultdict(float)
    for f in message_features(toks, text, ignore, chars):
        vec[f] += 1.0
    if scaled:
        s = length_scale(len(toks))
        return {f: v if f == "bias" else v * s for f, v in vec.items()}
    return dict(vec)


def _fit_adagrad(xs: list[Vector], ys: list[int], k: int, params: dict[str, float]) -> dict[str, list[float]]:
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


def _fit_sklearn(
    kind: str, xs: list[Vector], ys: list[int], k: int, params: dict[str, float]
) -> dict[str, list[float]]:
    """A scikit-learn linear model over the same features; its intercept becomes the "bias" weights.

    One BLAS thread and a fixed seed, so that a refit gives the same numbers."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC
    from threadpoolctl import threadpool_limits

    vocab = sorted({f for x in xs for f in x if f != "bias"})
    index = {f: i for i, f in enumerate(vocab)}
    indptr = [0]
    cols: list[int] = []
    vals: list[float] = []
    for x in xs:
        for f in sorted(x):
            if f != "bias":
                cols.append(index[f])
                vals.append(x[f])
        indptr.append(len(cols))
    matrix = csr_matrix((np.array(vals), np.array(cols), np.array(indptr)), shape=(len(xs), len(vocab)))
    target = np.array(ys)
    present = sorted(set(ys))  # a class with no example (in a fold) gets no weights
    # "balanced" weighs each class by the inverse of its frequency: a rare class (a complaint about the
    # head) then costs as much to miss as the common one, which moves the decision threshold its way.
    weighting = "balanced" if params.get("balanced") else None
    model: Any
    if kind == "logreg":
        model = LogisticRegression(C=params["C"], solver="newton-cg", max_iter=1000, class_weight=weighting)
    elif kind == "svm":
        model = LinearSVC(C=params["C"], max_iter=20000, random_state=0, class_weight=weighting)
    else:
        raise ValueError(kind)
    with threadpool_limits(1):
        model.fit(matrix, target)
    coef = np.asarray(model.coef_, dtype=float)
    intercept = np.asarray(model.intercept_, dtype=float)
    full = np.zeros((k, len(vocab)))
    bias = np.full(k, -1e3 if len(present) < k else 0.0)  # an unseen class never wins
    if len(present) == 2:
        full[present[1]] = coef[0]  # binary: one row scores the second class against the first
        bias[present[0]], bias[present[1]] = 0.0, intercept[0]
    else:
        for row, c in enumerate(present):
            full[c] = coef[row]
            bias[c] = intercept[row]
    weights = {f: full[:, i].tolist() for i, f in enumerate(vocab)}
    weights["bias"] = bias.tolist()
    return weights


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
            xs.append(featurize(r.text, config.ignore, config.chars, config.scaled))
            ys.append(config.labels.index(label))
    k = len(config.labels)
    if config.kind == "adagrad":
        return Fitted(_fit_adagrad(xs, ys, k, config.params), None)
    if config.kind == "nb":
        weights, unit = _fit_nb(xs, ys, k, config.params)
        return Fitted(weights, unit)
    return Fitted(_fit_sklearn(config.kind, xs, ys, k, config.params), None)


def _sparse(weights: dict[str, list[float]], *, centre: bool, epsilon: float) -> dict[str, list[float]]:
    """Each feature's weights as a flat [label index, weight, ...] list, rounded, near-zero ones dropped.

    With `centre` (the linear models) each feature's weights are first shifted by their median: a
    softmax ignores a shift, and most become zero. Dropping weights below `epsilon` is what keeps the
    character n-grams affordable: most of them carry next to nothing.
    """
    out: dict[str, list[float]] = {}
    for f in sorted(weights):
        w = weights[f]
        # Two labels: the first one's weight is the reference, so only the second label's are stored.
        c = (w[0] if f == "bias" or len(w) == 2 else sorted(w)[len(w) // 2]) if centre else 0.0
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
            fitted.weights, centre=config.kind != "nb", epsilon=config.params.get("epsilon", 5e-3)
        ),
    }
    if config.chars is not None:
        spec["chars"] = list(config.chars)
    if config.scaled:
        spec["scaled"] = True
    if fitted.unit is not None:
        spec["unit"] = [round(u, 4) for u in fitted.unit]
    return spec


def fit_models(configs: Sequence[ModelConfig], rows: Sequence[Row]) -> list[TextModel]:
    """The run-time models of `configs` fitted on `rows` (as they would be read from the file)."""
    return [TextModel(c.name, spec_of(c, fit(c, rows))) for c in configs]


def fit_all(rows: Sequence[Row], configs: Sequence[ModelConfig] = CONFIGS) -> dict[str, Any]:
    """The weights file contents for all models fitted on `rows`."""
    models = {config.name: spec_of(config, fit(config, rows)) for config in configs}
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


def _by_label(flat: list[float]) -> dict[int, float]:
    """A feature's flat [label index, weight, ...] list as a dict."""
    return {int(flat[i]): flat[i + 1] for i in range(0, len(flat), 2)}


def check(shipped: dict[str, Any], fresh: dict[str, Any]) -> list[str]:
    """How the shipped weights differ from a fresh fit, beyond rounding (empty when they agree).

    Weights may differ in the last rounded digit, and a weight right at the pruning threshold may be in
    one and not the other, when another platform's BLAS or libm differs in the last bit."""
    problems: list[str] = []
    if shipped.get("trained_on") != fresh["trained_on"]:
        problems.append(f"trained_on {shipped.get('trained_on')} != {fresh['trained_on']}")
    if list(shipped.get("models", {})) != list(fresh["models"]):
        return [*problems, f"models {list(shipped.get('models', {}))} != {list(fresh['models'])}"]
    for name, model in fresh["models"].items():
        old = shipped["models"][name]
        for key in ("labels", "ignore", "chars", "scaled"):
            if model.get(key) != old.get(key):
                problems.append(f"{name}: {key} {old.get(key)} != {model.get(key)}")
        unit, old_unit = model.get("unit"), old.get("unit")
        if (unit is None) != (old_unit is None) or (
            unit is not None and any(abs(a - b) > 0.01 for a, b in zip(unit, old_unit, strict=True))
        ):
            problems.append(f"{name}: unit differs")
        new_w, old_w = model["weights"], old["weights"]
        common = new_w.keys() & old_w.keys()
        if len(common) < 0.99 * max(len(new_w), len(old_w)):
            problems.append(f"{name}: {len(new_w)} features, {len(old_w)} shipped, {len(common)} in common")
        for f in sorted(common):
            a, b = _by_label(new_w[f]), _by_label(old_w[f])
            if any(abs(a.get(i, 0.0) - b.get(i, 0.0)) > 0.01 for i in a.keys() | b.keys()):
                problems.append(f"{name}: weights of {f!r} differ")
                break
    return problems


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


def splits(rows: Sequence[Row]) -> list[tuple[str, list[tuple[str, list[int]]]]]:
    """The two generalisation plans: 5-fold cross-validation and file rotations."""
    return [
        ("5-fold cross-validation", [(f"fold {n + 1}", f) for n, f in enumerate(stratified_folds(rows))]),
        ("train on the other files, test on one", rotations(rows)),
    ]


@dataclass
class AloneCounts:
    """Model-alone results: per model (correct, total), and about_head's confusion."""

    correct: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    head: Counter[str] = field(default_factory=Counter)  # tp, fp, fn

    def add(self, other: "AloneCounts") -> None:
        self.correct.update(other.correct)
        self.total.update(other.total)
        self.head.update(other.head)


def model_alone(
    configs: Sequence[ModelConfig], models: Sequence[TextModel], rows: Sequence[Row]
) -> AloneCounts:
    """Each model's own answers on `rows` (no rules), its argmax against the gold label."""
    out = AloneCounts()
    for config, model in zip(configs, models, strict=True):
        for r in rows:
            gold = config.select(r)
            if gold is None:
                continue
            toks = tokens(r.text)
            s = model.scores(toks, r.text)
            got = config.labels[max(range(len(s)), key=s.__getitem__)]
            out.correct[config.name] += got == gold
            out.total[config.name] += 1
            if config.name == "about_head":
                out.head["tp"] += got == gold == "true"
                out.head["fp"] += got == "true" != gold
                out.head["fn"] += got == "false" != gold
    return out


def precision_recall(head: Counter[str]) -> tuple[float, float]:
    """Precision and recall of about_head from its tp/fp/fn counts."""
    tp, fp, fn = head["tp"], head["fp"], head["fn"]
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)


def _print_alone(configs: Sequence[ModelConfig], rows: Sequence[Row]) -> None:
    """Print each model's own figures in each plan."""
    for title, plan in splits(rows):
        total = AloneCounts()
        for _, test in plan:
            held = set(test)
            models = fit_models(configs, [r for i, r in enumerate(rows) if i not in held])
            total.add(model_alone(configs, models, [rows[i] for i in test]))
        p, r = precision_recall(total.head)
        figures = "  ".join(
            f"{c.name} {100 * total.correct[c.name] / max(1, total.total[c.name]):5.1f}%" for c in configs
        )
        print(f"  {title:38} {figures}  (about_head precision {100 * p:.1f}% recall {100 * r:.1f}%)")


def main(argv: list[str]) -> int:
    """Fit on the development data and write (or check) the weights file."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped file, write nothing")
    parser.add_argument("--cv", action="store_true", help="print model-alone cross-validation figures")
    args = parser.parse_args(argv)
    rows = development_rows()
    if args.cv:
        print("models alone (no rules), refitted per split:")
        _print_alone(CONFIGS, rows)
    spec = fit_all(rows)
    if args.check:
        shipped = json.loads(OUTPUT.read_text(encoding="utf-8")) if OUTPUT.exists() else {}
        problems = check(shipped, spec)
        print(f"{OUTPUT.name}: {'up to date' if not problems else 'DIFFERS from a fresh fit'}")
        for p in problems:
            print("  " + p)
        return 1 if problems else 0
    data = encode(spec)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_bytes(data)
    sizes = ", ".join(f"{name} {len(m['weights']):,}" for name, m in spec["models"].items())
    print(f"wrote {OUTPUT} ({len(data):,} bytes, {len(rows)} messages; features kept: {sizes})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
