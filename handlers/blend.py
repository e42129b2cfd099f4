"""The learned models' say in understanding: where the rules are unsure, and only there.

`handlers.understand` decides with its rules first (see its docstring). Where they found nothing to go on
and answer "other", the intent model's answer wins if it is clearly more likely (`blend_intent`); a
question about something the lexicons know no topic for stays a question unless the model is clearly
surer it asks for help or is chat (`question_intent`); and for the category of a complaint and the topic
of a question, the model's probabilities are added to the lexicon scores with a bounded weight
(`blend_category`, `blend_topic`), unless the lexicons' lead is clear already (`clear_category`,
`clear_topic`: then the model is not even scored).

The functions here take one model's raw label scores (`Scorer.part`), so they work with whichever models
`handlers.understand` scores with (`bench.nlu_accuracy` swaps them while it cross-validates); the labels'
order is that of the shipped models, `SHIPPED_SCORER`.
"""

import math
from collections.abc import Sequence

from handlers.lexicon import _CATEGORY_ORDER, _TOPIC_ORDER
from handlers.nlu_model import Scorer, load_models
from models.vocabulary import Category, Intent, Topic

__all__ = [
    "SHIPPED_SCORER",
    "blend_category",
    "blend_intent",
    "blend_topic",
    "clear_category",
    "clear_topic",
    "question_intent",
]

# The learned models (handlers.nlu_model), scored together in one pass when the rules need them.
SHIPPED_SCORER = Scorer(load_models())
_INTENT_LABELS = tuple(Intent(label) for label in SHIPPED_SCORER.labels("intent"))
_OTHER_AT = _INTENT_LABELS.index(Intent.OTHER)
# Where each category and topic (in the rules' order) sits among its model's labels.
_CATEGORY_AT = tuple(SHIPPED_SCORER.labels("category").index(c.value) for c in _CATEGORY_ORDER)
_TOPIC_AT = tuple(SHIPPED_SCORER.labels("topic").index(t.value) for t in _TOPIC_ORDER)
# Blending (see the module docstring), chosen by cross-validation over the development data
# (python -m bench.nlu_accuracy --cv; bench/README.md).
# Intent: where the rules found nothing to go on ("other" without a keyword, code or spam), the model's
# intent wins when it is this many nats (log-probability: the intent model is a logistic regression)
# more likely than "other". (Letting it overrule the rules' other decisions too, at a larger margin, did
# worse in cross-validation.)
_INTENT_MARGIN = 3.0
# Category and topic: the model's probabilities (a softmax of the linear SVM's decision values, whose
# differences are fractions of one, hence a temperature below one) are added to the lexicon scores with
# this weight: enough to break near-ties and to decide where the lexicons know nothing, never enough to
# overrule clear lexicon evidence. (Weights 3-5 gained 1-2 points in
# cross-validation over the real development sets but let the model overrule clear regional words,
# "banyune mampet" read as a road; bench/README.md.)
_CATEGORY_MODEL_WEIGHT = 2.0
_TOPIC_MODEL_WEIGHT = 2.0
_MODEL_TEMPERATURE = 0.3
# Below this much lexicon evidence the rules know no category (or topic): the model decides, and for a
# category only if it is this sure (else "lainnya").
_LEXICON_EVIDENCE = 1.0
_CATEGORY_MODEL_ALONE = 0.6


def _probabilities(scores: list[float], at: Sequence[int]) -> list[float]:
    """Softmax at _MODEL_TEMPERATURE of raw label scores, in the order `at` gives."""
    t = _MODEL_TEMPERATURE
    m = max(scores)
    e = [math.exp((scores[i] - m) / t) for i in at]
    z = math.fsum(e)
    return [x / z for x in e]


def blend_intent(raw: list[float]) -> Intent:
    """The model's intent for a message the rules call "other", if it is clearly more likely (`raw`: the
    intent model's raw label scores)."""
    best = _top_two(raw)[0]
    # The softmax normaliser cancels: a difference of raw scores is a difference of log-probabilities.
    if raw[best] - raw[_OTHER_AT] > _INTENT_MARGIN:
        return _INTENT_LABELS[best]
    return Intent.OTHER


def _top_two(values: Sequence[float]) -> tuple[int, float, float]:
    """The index of the largest value (the first on ties), that value and the runner-up."""
    best, first, second = 0, values[0], float("-inf")
    for i in range(1, len(values)):
        v = values[i]
        if v > first:
            best, first, second = i, v, first
        elif v > second:
            second = v
    return best, first, second


def clear_category(lexicon: list[float]) -> Category | None:
    """The category of the lexicon scores `lexicon` when their lead is so clear that the model could not
    change it."""
    best, first, second = _top_two(lexicon)
    if first >= _LEXICON_EVIDENCE and first - second > _CATEGORY_MODEL_WEIGHT:
        return _CATEGORY_ORDER[best]
    return None


def blend_category(lexicon: list[float], raw: list[float]) -> Category:
    """Lexicon scores plus weighted model probabilities (see _CATEGORY_MODEL_WEIGHT; `raw`: the category
    model's raw label scores)."""
    p = _probabilities(raw, _CATEGORY_AT)
    if max(lexicon) < _LEXICON_EVIDENCE:
        best, first, _ = _top_two(p)
        return _CATEGORY_ORDER[best] if first >= _CATEGORY_MODEL_ALONE else Category.LAINNYA
    w = _CATEGORY_MODEL_WEIGHT
    return _CATEGORY_ORDER[_top_two([v + w * q for v, q in zip(lexicon, p, strict=True)])[0]]


def clear_topic(lexicon: list[float]) -> Topic | None:
    """Like `clear_category`, for the topic of an information request."""
    best, first, second = _top_two(lexicon)
    if first >= _LEXICON_EVIDENCE and first - second > _TOPIC_MODEL_WEIGHT:
        return _TOPIC_ORDER[best]
    return None


def blend_topic(lexicon: list[float], raw: list[float]) -> Topic:
    """Like `blend_category`, for the topic of an information request."""
    p = _probabilities(raw, _TOPIC_AT)
    w = _TOPIC_MODEL_WEIGHT
    return _TOPIC_ORDER[_top_two([v + w * q for v, q in zip(lexicon, p, strict=True)])[0]]


# A question with no topic the lexicons know is help or chat only if the model finds it this many nats
# (log-probability) more likely than a question about the village.
_QUESTION_MARGIN = 1.0


def question_intent(raw: list[float]) -> Intent:
    """INFO for a question the rules found no topic for, or HELP / OTHER when the model is clearly surer
    (`raw`: the intent model's raw label scores)."""
    labels = _INTENT_LABELS
    info = raw[labels.index(Intent.INFO)]
    best, best_score = Intent.INFO, info + _QUESTION_MARGIN
    for alternative in (Intent.HELP, Intent.OTHER):
        v = raw[labels.index(alternative)]
        if v > best_score:
            best, best_score = alternative, v
    return best
