"""Fitting the learned half of understanding: the featuriser, the export, the check, the about_head head."""

import json
from collections import Counter
from pathlib import Path

import pytest

from handlers import train
from handlers.nlu_model import Scorer, TextModel, char_ngrams, load_models, message_features
from handlers.normalize import tokens


def test_only_development_files_are_trained_on() -> None:
    assert "nlu_holdout2.jsonl" not in train.DEV_FILES
    assert not any("holdout" in name for name in train.DEV_FILES if name.startswith("real/"))
    assert all((train.DATA / name).exists() for name in train.DEV_FILES)


def _plain(text: str) -> str:
    return " ".join(tokens(text))


def test_no_real_held_out_message_is_also_development_data() -> None:
    # The real held-out sets were drawn apart from the development data (tests/data/real/SOURCES.md);
    # a message copied into both would flatter every figure measured on them. (The project's own
    # nlu_holdout2 shares bare keywords such as "menu" with nlu_dev, as residents do.)
    trained = {_plain(r.text) for r in train.development_rows()}
    for name in ("real/nlu_real_holdout.jsonl", "real/nlu_real_holdout3.jsonl"):
        lines = (train.DATA / name).read_text(encoding="utf-8").splitlines()
        held = [_plain(json.loads(line)["text"]) for line in lines if line.strip()]
        assert held, name
        assert not trained.intersection(held), name


@pytest.mark.parametrize("word", ["a", "ab", "jalan", "dikirimi", "banyune", "pju"])
def test_character_ngrams_are_scikit_learns_char_wb(word: str) -> None:
    # The run-time featuriser must compute exactly what the comparison with scikit-learn's analyser
    # assumes, word by word.
    feature_extraction = pytest.importorskip("sklearn.feature_extraction.text")
    analyse = feature_extraction.CountVectorizer(analyzer="char_wb", ngram_range=(2, 5)).build_analyzer()
    assert Counter(char_ngrams(word, (2, 5))) == Counter("c:" + g for g in analyse(word))


def test_character_ngrams_only_for_words_and_only_when_asked() -> None:
    toks = tokens("lampu mati 3 hari")
    assert not any(f.startswith("c:") for f in message_features(toks, "lampu mati 3 hari"))
    with_chars = message_features(toks, "lampu mati 3 hari", chars=(3, 4))
    assert {"c: la", "c:ati "} <= set(with_chars)
    assert not any(f.startswith("c:") and "3" in f for f in with_chars)


def test_about_head_is_a_fourth_head_of_the_one_scorer() -> None:
    models = load_models()
    scorer = Scorer(models)
    assert [m.name for m in models] == ["intent", "category", "topic", "about_head"]
    assert scorer.labels("about_head") == ("false", "true")
    text = "pak kades tidak pernah ada di kantor, sulit ditemui warga"
    toks = tokens(text)
    acc = scorer.scores(toks, text)
    false, true = scorer.part("about_head", acc)
    assert false == 0.0  # two labels: the score of "true" is its log-odds
    assert true > 0.0
    plain = next(m for m in models if m.name == "about_head").scores(toks, text)
    assert [false, true] == pytest.approx(plain, abs=1e-9)
    road = "tolong pak kades jalan di RT 2 rusak parah mohon diperbaiki"
    assert scorer.part("about_head", scorer.scores(tokens(road), road))[1] < 0.0


def test_fit_is_deterministic_and_check_sees_differences() -> None:
    rows = train.development_rows()[::10]  # a small sample keeps this fast
    first = train.fit_all(rows)
    again = train.fit_all(rows)
    assert train.encode(first) == train.encode(again)
    assert train.check(first, again) == []
    changed = json.loads(train.encode(first))
    weights = changed["models"]["intent"]["weights"]
    feature = next(f for f in sorted(weights) if len(weights[f]) >= 2)
    weights[feature][1] += 0.5
    assert train.check(changed, first) == [f"intent: weights of {feature!r} differ"]
    weights[feature][1] -= 0.495  # a last-digit difference is rounding, not a change
    assert train.check(changed, first) == []


def test_binary_model_stores_only_the_second_label() -> None:
    config = next(c for c in train.CONFIGS if c.name == "about_head")
    spec = train.spec_of(config, train.Fitted({"w:kades": [0.0, 1.25], "w:jalan": [0.0, -0.5]}, None))
    assert spec["weights"] == {"w:jalan": [1, -0.5], "w:kades": [1, 1.25]}
    model = TextModel("about_head", spec)
    assert model.scores(["kades"], "kades")[0] == 0.0


def test_shipped_file_names_what_it_was_trained_on() -> None:
    shipped = json.loads(Path(train.OUTPUT).read_text(encoding="utf-8"))
    assert shipped["trained_on"] == sorted(train.DEV_FILES)
