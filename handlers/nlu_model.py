"""The learned half of understanding: small linear text classifiers for intent, category and topic.

Each model scores a message as a sum of weights over sparse features of its normalised tokens: the word,
a light stem (affixes of Indonesian, Javanese and Sundanese stripped, so that "dikirimi", "kirimin" and
"mengirim" share evidence), word bigrams, the first word, the length of the message and whether it asks
("?"). `handlers.train` fits the weights on the labelled development messages and writes them to
`handlers/data/nlu_model.json` (package data); this module reads that file once at import, and scoring is
plain additions afterwards. How the scores are blended with the rules is `handlers.understand`'s
business.

The weights file: {"trained_on": [...], "models": {name: {"labels": [...], "ignore": [words the model
does not look at], "unit": [...] (Naive Bayes only), "weights": {feature: [label index, weight, label
index, weight, ...]}}}}. A label index missing from a feature's list has weight 0. A Naive Bayes model
also adds its "unit" vector once per known feature but the bias (see `handlers.train._fit_nb`), which
keeps the file sparse.
"""

from collections.abc import Sequence
from importlib import resources
from itertools import pairwise
from typing import Any

import orjson

__all__ = ["MODEL_FILE", "Scorer", "TextModel", "load_models", "message_features", "stem", "token_features"]

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

Sparse = tuple[tuple[int, float], ...]


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


def token_features(token: str) -> tuple[str, ...]:
    """The features one distinct token contributes: the word and, when it differs, its stem."""
    if token.isdigit():
        return ("n:" + str(min(len(token), 7)),)  # a number's length, not its value: a code is six digits
    if not token.isalpha():
        return ("w:" + token,)
    s = stem(token)
    return ("w:" + token,) if s == token else ("w:" + token, "s:" + s)


def _length_bucket(n: int) -> str:
    """A coarse message length: one word, a few, a sentence, a story."""
    return "len:" + ("1" if n <= 1 else "3" if n <= 3 else "7" if n <= 7 else "8+")


def message_features(toks: Sequence[str], text: str, ignore: frozenset[str] = frozenset()) -> list[str]:
    """Every feature of a message, repeats included: the bias, the length, the features of each distinct
    token not in `ignore`, the first word and the word bigrams (without ignored words), and "q" when the
    text has a question mark."""
    out = ["bias", _length_bucket(len(toks))]
    for t in dict.fromkeys(toks):
        if t not in ignore:
            out.extend(token_features(t))
    if toks and toks[0] not in ignore:
        out.append("first:" + toks[0])
    out.extend("b:" + a + " " + b for a, b in pairwise(toks) if a not in ignore and b not in ignore)
    if "?" in text:
        out.append("q")
    return out


class TextModel:
    """One linear classifier as the weights file describes it (see the module docstring)."""

    __slots__ = ("ignore", "labels", "name", "unit", "weights")

    def __init__(self, name: str, spec: dict[str, Any]) -> None:
        self.name = name
        self.labels: tuple[str, ...] = tuple(spec["labels"])
        self.ignore = frozenset(spec.get("ignore", ()))
        unit = spec.get("unit")
        self.unit: tuple[float, ...] | None = None if unit is None else tuple(float(u) for u in unit)
        self.weights: dict[str, Sparse] = {
            f: tuple((int(flat[i]), float(flat[i + 1])) for i in range(0, len(flat), 2))
            for f, flat in spec["weights"].items()
        }

    def scores(self, toks: Sequence[str], text: str) -> list[float]:
        """Raw label scores by the plain sum over `message_features` (the reference `Scorer` must match)."""
        acc = [0.0] * len(self.labels)
        for f in message_features(toks, text, self.ignore):
            sparse = self.weights.get(f)
            if sparse is None:
                continue
            for i, w in sparse:
                acc[i] += w
            if self.unit is not None and f != "bias":
                acc = [a + u for a, u in zip(acc, self.unit, strict=True)]
        return acc


class Scorer:
    """Every model scored in one pass over one accumulator, each model's labels in a slice of it.

    For a Naive Bayes model one more slot counts its known features, and `part` adds that count times the
    unit vector. The weights of each token are memoised (bounded) and bigrams are looked up by their
    first word, so a message costs a dict lookup and a few additions per token.
    """

    __slots__ = ("_base", "_bigrams", "_by_name", "_cache", "_first", "_length", "_question", "slices")

    _CACHE_MAX = 100_000

    def __init__(self, models: Sequence[TextModel]) -> None:
        self._by_name = {m.name: m for m in models}
        self.slices: dict[str, slice] = {}
        at = 0
        for m in models:
            self.slices[m.name] = slice(at, at + len(m.labels))
            at += len(m.labels) + (m.unit is not None)  # the count slot follows the labels
        base = [0.0] * at
        for i, w in self._joint(("bias",)):
            base[i] += w
        self._base = base
        self._question = self._joint(("q",))
        self._length = {n: self._joint((_length_bucket(n),)) for n in (1, 3, 7, 8)}
        self._first: dict[str, Sparse] = {}
        self._bigrams: dict[str, dict[str, Sparse]] = {}
        for f in sorted({f for m in models for f in m.weights}):
            if f.startswith("first:"):
                self._first[f[6:]] = self._joint((f,))
            elif f.startswith("b:"):
                a, _, b = f[2:].partition(" ")
                self._bigrams.setdefault(a, {})[b] = self._joint((f,))
        self._cache: dict[str, Sparse] = {}

    def _joint(self, features: Sequence[str], token: str | None = None) -> Sparse:
        """The summed weights of `features` in every model (but those that ignore `token`), by slot."""
        out: dict[int, float] = {}
        for name, m in self._by_name.items():
            if token is not None and token in m.ignore:
                continue
            start = self.slices[name].start
            for f in features:
                sparse = m.weights.get(f)
                if sparse is None:
                    continue
                for i, w in sparse:
                    out[start + i] = out.get(start + i, 0.0) + w
                if m.unit is not None and f != "bias":
                    count = start + len(m.labels)
                    out[count] = out.get(count, 0.0) + 1.0
        return tuple(sorted(out.items()))

    def scores(self, toks: Sequence[str], text: str) -> list[float]:
        """The accumulator for a message (normalised tokens and raw text); read it with `part`."""
        acc = self._base.copy()
        n = len(toks)
        for i, w in self._length[1 if n <= 1 else 3 if n <= 3 else 7 if n <= 7 else 8]:
            acc[i] += w
        if "?" in text:
            for i, w in self._question:
                acc[i] += w
        if n:
            first = self._first.get(toks[0])
            if first is not None:
                for i, w in first:
                    acc[i] += w
        cache = self._cache
        bigrams = self._bigrams
        seen: set[str] = set()
        following: dict[str, Sparse] | None = None
        for t in toks:
            if following is not None:
                pairs = following.get(t)
                if pairs is not None:
                    for i, w in pairs:
                        acc[i] += w
            following = bigrams.get(t)
            if t in seen:
                continue
            seen.add(t)
            pairs = cache.get(t)
            if pairs is None:
                pairs = self._joint(token_features(t), t)
                if len(cache) >= self._CACHE_MAX:
                    cache.clear()
                cache[t] = pairs
            for i, w in pairs:
                acc[i] += w
        return acc

    def labels(self, name: str) -> tuple[str, ...]:
        """The labels of one model, in the order of its scores."""
        return self._by_name[name].labels

    def part(self, name: str, acc: list[float]) -> list[float]:
        """One model's raw label scores (logits) out of an accumulator from `scores`."""
        where = self.slices[name]
        out = acc[where]
        unit = self._by_name[name].unit
        if unit is not None:
            count = acc[where.stop]
            out = [x + count * u for x, u in zip(out, unit, strict=True)]
        return out


def load_models(raw: bytes | None = None) -> list[TextModel]:
    """The models of the shipped weights file (or of `raw`), in file order."""
    if raw is None:
        raw = resources.files("handlers").joinpath(MODEL_FILE).read_bytes()
    spec = orjson.loads(raw)
    return [TextModel(name, model) for name, model in spec["models"].items()]
