"""The learned half of understanding: small linear text classifiers for intent, complaint category,
information topic and about_head (whether a complaint is about the village head himself).

Each model scores a message as a sum of weights over sparse features of its normalised tokens: the word,
a light stem (affixes of Indonesian, Javanese and Sundanese stripped, so that "dikirimi", "kirimin" and
"mengirim" share evidence), optionally the word's character n-grams (misspellings, regional affixes),
word bigrams, the first word, the length of the message and whether it asks ("?"). `handlers.train`
fits the weights on the labelled development messages (with scikit-learn, at development time only) and
writes them to `handlers/data/nlu_model.json` (package data); this module reads that file once at
import, and scoring is plain additions afterwards. How the scores are blended with the rules is
`handlers.blend`'s business (called from `handlers.understand`).

The weights file: {"trained_on": [...], "models": {name: {"labels": [...], "ignore": [words the model
does not look at], "chars": [lo, hi] (character n-gram lengths; absent: none), "scaled": true (see
below; absent: false), "unit": [...] (Naive Bayes only), "weights": {feature: [label index, weight,
label index, weight, ...]}}}}. A label index missing from a feature's list has weight 0. A Naive Bayes
model also adds its "unit" vector once per known feature but the bias (see `handlers.train._fit_nb`),
which keeps the file sparse. A "scaled" model multiplies every sum but the bias by 1/sqrt(number of
tokens), as it was trained: otherwise a long message, with hundreds of character n-grams, would get
scores far more confident than a short one.
"""

import math
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from itertools import pairwise
from typing import Any

import orjson

__all__ = [
    "MODEL_FILE",
    "Scorer",
    "TextModel",
    "char_ngrams",
    "length_scale",
    "load_models",
    "message_features",
    "stem",
    "token_features",
]

MODEL_FILE = "data/nlu_model.json"

# Affixes `stem` strips, longest first within each group.
_PARTICLES = ("nya", "lah", "kah", "ku", "mu", "ne", "na")
_SUFFIXES = ("kan", "an", "in", "i")
_PREFIXES = (
    "meng",
    "meny",
    "peng",
    "peny",
    "mem",
    "men",
    "pem",
    "pen",
    "ber",
    "ter",
    "nge",
    "me",
    "pe",
    "di",
    "ke",
    "ng",
    "ny",
)
_MIN_STEM = 4

# A feature's weights as the file has them: [label index, weight, label index, weight, ...]. Kept so,
# not converted to pairs: building tens of thousands of tuples at import cost a tenth of a second of
# every `kentongan parse` start.
Flat = list[float]
Dense = tuple[float, ...]


def stem(word: str) -> str:
    """A light stem: a particle, a suffix and a prefix removed, each while at least four letters stay."""
    s = word
    for group in (_PARTICLES, _SUFFIXES):
        for suffix in group:
            if s.endswith(suffix) and len(s) - len(suffix) >= _MIN_STEM:
                s = s[: -len(suffix)]
                break
    for prefix in _PREFIXES:
        if s.startswith(prefix) and len(s) - len(prefix) >= _MIN_STEM:
            return s[len(prefix) :]
    return s


Chars = tuple[int, int] | None


def char_ngrams(token: str, chars: tuple[int, int]) -> list[str]:
    """The character n-grams (lengths lo..hi) of the token padded with a space on each side, as
    scikit-learn's "char_wb" analyser makes them: a word too short for a length gives itself once."""
    lo, hi = chars
    padded = " " + token + " "
    size = len(padded)
    out: list[str] = []
    for n in range(lo, hi + 1):
        if n >= size:
            out.append("c:" + padded)
            break
        out.extend("c:" + padded[i : i + n] for i in range(size - n + 1))
    return out


def token_features(token: str, chars: Chars = None) -> tuple[str, ...]:
    """The features one distinct token contributes: the word, its stem when it differs and, with
    `chars`, its character n-grams (which carry misspellings, regional affixes and glued words the
    word itself misses)."""
    if token.isdigit():
        return ("n:" + str(min(len(token), 7)),)  # a number's length, not its value: a code is six digits
    if not token.isalpha():
        return ("w:" + token,)
    s = stem(token)
    words = ("w:" + token,) if s == token else ("w:" + token, "s:" + s)
    return words if chars is None else (*words, *char_ngrams(token, chars))


def _length_bucket(n: int) -> str:
    """A coarse message length: one word, a few, a sentence, a story."""
    return "len:" + ("1" if n <= 1 else "3" if n <= 3 else "7" if n <= 7 else "8+")


def message_features(
    toks: Sequence[str], text: str, ignore: frozenset[str] = frozenset(), chars: Chars = None
) -> list[str]:
    """Every feature of a message, repeats included: the bias, the length, the features of each distinct
    token not in `ignore`, the first word and the word bigrams (without ignored words), and "q" when the
    text has a question mark."""
    out = ["bias", _length_bucket(len(toks))]
    for t in dict.fromkeys(toks):
        if t not in ignore:
            out.extend(token_features(t, chars))
    if toks and toks[0] not in ignore:
        out.append("first:" + toks[0])
    out.extend("b:" + a + " " + b for a, b in pairwise(toks) if a not in ignore and b not in ignore)
    if "?" in text:
        out.append("q")
    return out


# `sum` over a column of floats, typed as such (mypy reads the builtin's start value as an int).
_total: Callable[[Iterable[float]], float] = sum


def length_scale(n: int) -> float:
    """What a scaled model multiplies its sums (but the bias) by, for a message of `n` tokens."""
    return 1.0 / math.sqrt(n) if n > 1 else 1.0


class TextModel:
    """One linear classifier as the weights file describes it (see the module docstring)."""

    __slots__ = ("bias", "chars", "ignore", "labels", "name", "scaled", "unit", "weights")

    def __init__(self, name: str, spec: dict[str, Any]) -> None:
        self.name = name
        self.labels: tuple[str, ...] = tuple(spec["labels"])
        self.ignore = frozenset(spec.get("ignore", ()))
        chars = spec.get("chars")
        self.chars: Chars = None if chars is None else (int(chars[0]), int(chars[1]))
        unit = spec.get("unit")
        self.unit: tuple[float, ...] | None = None if unit is None else tuple(float(u) for u in unit)
        self.weights: dict[str, Flat] = spec["weights"]
        self.scaled = bool(spec.get("scaled", False))
        bias = [0.0] * len(self.labels)
        flat = self.weights.get("bias", [])
        for j in range(0, len(flat), 2):
            bias[int(flat[j])] += flat[j + 1]
        self.bias = tuple(bias)

    def scores(self, toks: Sequence[str], text: str) -> list[float]:
        """Raw label scores by the plain sum over `message_features` (the reference `Scorer` must match)."""
        acc = [0.0] * len(self.labels)
        for f in message_features(toks, text, self.ignore, self.chars):
            flat = self.weights.get(f)
            if flat is None:
                continue
            for j in range(0, len(flat), 2):
                acc[int(flat[j])] += flat[j + 1]
            if self.unit is not None and f != "bias":
                acc = [a + u for a, u in zip(acc, self.unit, strict=True)]
        if self.scaled:
            s = length_scale(len(toks))
            acc = [b + (a - b) * s for a, b in zip(acc, self.bias, strict=True)]
        return acc


class Scorer:
    """Every model scored in one pass over one accumulator, each model's labels in a slice of it.

    For a Naive Bayes model one more slot counts its known features, and `part` adds that count times the
    unit vector; the last slot holds the message's `length_scale`, which `part` applies to scaled
    models. The weights of each token (all its features in all models, character n-grams included) are
    memoised as one dense vector (bounded), and bigrams are looked up by their first word, so a message
    costs a dict lookup per token and one column-wise sum of the vectors (done in C by `zip` and `sum`:
    with character n-grams nearly every token has weights in every slot, and adding them one by one in
    Python cost twice as much).
    """

    __slots__ = (
        "_base",
        "_bigrams",
        "_by_name",
        "_cache",
        "_first",
        "_length",
        "_question",
        "_size",
        "slices",
    )

    _CACHE_MAX = 100_000

    def __init__(self, models: Sequence[TextModel]) -> None:
        self._by_name = {m.name: m for m in models}
        self.slices: dict[str, slice] = {}
        at = 0
        for m in models:
            self.slices[m.name] = slice(at, at + len(m.labels))
            at += len(m.labels) + (m.unit is not None)  # the count slot follows the labels
        self._size = at + 1  # and the length scale comes last
        self._base = self._joint(("bias",))
        self._question = self._joint(("q",))
        self._length = {n: self._joint((_length_bucket(n),)) for n in (1, 3, 7, 8)}
        self._first: dict[str, Dense] = {}
        self._bigrams: dict[str, dict[str, Dense]] = {}
        for f in sorted({f for m in models for f in m.weights if f.startswith(("first:", "b:"))}):
            if f.startswith("first:"):
                self._first[f[6:]] = self._joint((f,))
            elif f.startswith("b:"):
                a, _, b = f[2:].partition(" ")
                self._bigrams.setdefault(a, {})[b] = self._joint((f,))
        self._cache: dict[str, Dense] = {}

    def _joint(self, features: Sequence[str], token: str | None = None) -> Dense:
        """The summed weights of `features` in every model, by slot; for a `token`, the features of that
        token in each model's own featurisation (none in the models that ignore it)."""
        out = [0.0] * self._size
        by_chars: dict[Chars, tuple[str, ...]] = {}
        for name, m in self._by_name.items():
            if token is not None:
                if token in m.ignore:
                    continue
                known = by_chars.get(m.chars)
                if known is None:
                    known = by_chars[m.chars] = token_features(token, m.chars)
                features = known
            start = self.slices[name].start
            for f in features:
                flat = m.weights.get(f)
                if flat is None:
                    continue
                for j in range(0, len(flat), 2):
                    out[start + int(flat[j])] += flat[j + 1]
                if m.unit is not None and f != "bias":
                    out[start + len(m.labels)] += 1.0
        return tuple(out)

    def scores(self, toks: Sequence[str], text: str) -> list[float]:
        """The accumulator for a message (normalised tokens and raw text); read it with `part`."""
        n = len(toks)
        vectors = [self._base, self._length[1 if n <= 1 else 3 if n <= 3 else 7 if n <= 7 else 8]]
        add = vectors.append
        if "?" in text:
            add(self._question)
        if n:
            first = self._first.get(toks[0])
            if first is not None:
                add(first)
        cache = self._cache
        bigrams = self._bigrams
        seen: set[str] = set()
        following: dict[str, Dense] | None = None
        for t in toks:
            if following is not None:
                pair = following.get(t)
                if pair is not None:
                    add(pair)
            following = bigrams.get(t)
            if t in seen:
                continue
            seen.add(t)
            vector = cache.get(t)
            if vector is None:
                vector = self._joint((), t)
                if len(cache) >= self._CACHE_MAX:
                    cache.clear()
                cache[t] = vector
            add(vector)
        acc = list(map(_total, zip(*vectors, strict=True)))
        acc[-1] = length_scale(n)
        return acc

    def labels(self, name: str) -> tuple[str, ...]:
        """The labels of one model, in the order of its scores."""
        return self._by_name[name].labels

    def part(self, name: str, acc: list[float]) -> list[float]:
        """One model's raw label scores (logits) out of an accumulator from `scores`."""
        where = self.slices[name]
        out = acc[where]
        model = self._by_name[name]
        unit = model.unit
        if unit is not None:
            count = acc[where.stop]
            out = [x + count * u for x, u in zip(out, unit, strict=True)]
        if model.scaled:
            s = acc[-1]
            out = [b + (x - b) * s for x, b in zip(out, model.bias, strict=True)]
        return out


def load_models(raw: bytes | None = None) -> list[TextModel]:
    """The models of the shipped weights file (or of `raw`), in file order."""
    if raw is None:
        raw = resources.files("handlers").joinpath(MODEL_FILE).read_bytes()
    spec = orjson.loads(raw)
    return [TextModel(name, model) for name, model in spec["models"].items()]
