"""Metrics, checked against values computed by hand."""

from __future__ import annotations

import json

import pytest

from classifier.training.metrics import evaluate_predictions

# 4 positives, 6 negatives. Predicted: 2 of the positives and 1 negative as positive.
Y_TRUE = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
Y_PRED = [1, 1, 0, 0, 0, 0, 0, 0, 0, 1]


def test_hand_computed_example() -> None:
    # class 1: tp 2, fp 1, fn 2 -> P 2/3, R 1/2, F1 4/7
    # class 0: tp 5, fp 2, fn 1 -> P 5/7, R 5/6, F1 10/13
    # macro P = (2/3 + 5/7) / 2 = 29/42, macro R = (1/2 + 5/6) / 2 = 2/3
    # official F1 = 2 * 29/42 * 2/3 / (29/42 + 2/3) = 116/171
    # macro F1 = (4/7 + 10/13) / 2 = 61/91
    result = evaluate_predictions(Y_TRUE, Y_PRED)
    assert result["n"] == 10
    assert result["macro_precision"] == pytest.approx(29 / 42)
    assert result["macro_recall"] == pytest.approx(2 / 3)
    assert result["official_f1"] == pytest.approx(116 / 171)
    assert result["macro_f1"] == pytest.approx(61 / 91)
    assert result["official_f1"] != pytest.approx(result["macro_f1"])
    assert result["accuracy"] == pytest.approx(0.7)
    assert result["confusion_matrix"] == [[5, 1], [2, 2]]  # rows: true 0, true 1
    assert result["per_class"]["1"] == pytest.approx(
        {"precision": 2 / 3, "recall": 0.5, "f1": 4 / 7, "support": 4}
    )
    assert result["per_class"]["0"] == pytest.approx(
        {"precision": 5 / 7, "recall": 5 / 6, "f1": 10 / 13, "support": 6}
    )
    json.dumps(result)  # plain Python values only


def test_perfect_and_degenerate_predictions() -> None:
    perfect = evaluate_predictions([0, 1, 1], [0, 1, 1])
    assert perfect["official_f1"] == perfect["macro_f1"] == perfect["accuracy"] == 1.0
    # Never predicting the positive class: its precision is 0, not an error or NaN.
    silent = evaluate_predictions([0, 0, 1, 1], [0, 0, 0, 0])
    assert silent["per_class"]["1"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 2}
    assert silent["macro_precision"] == pytest.approx(0.25)
    assert silent["macro_recall"] == pytest.approx(0.5)
    assert silent["official_f1"] == pytest.approx(2 * 0.25 * 0.5 / 0.75)
    assert silent["confusion_matrix"] == [[2, 0], [2, 0]]


def test_label_order_and_absent_class() -> None:
    result = evaluate_predictions([0, 0], [0, 0], labels=(1, 0))
    assert result["confusion_matrix"] == [[0, 0], [0, 2]]
    assert result["per_class"]["1"]["support"] == 0


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="2 true labels but 1 predictions"):
        evaluate_predictions([0, 1], [0])
    with pytest.raises(ValueError, match="no predictions"):
        evaluate_predictions([], [])
