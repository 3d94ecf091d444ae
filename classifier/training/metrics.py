"""Classification metrics, including the GermEval shared tasks' official F1.

GermEval (2018, 2019, 2021) ranks systems by the harmonic mean of macro-averaged precision and
macro-averaged recall. That is not the mean of the per-class F1 scores (``macro_f1``, what
HASOC and scikit-learn's ``f1_score(average="macro")`` report), so both are returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support


def evaluate_predictions(
    y_true: Sequence[int], y_pred: Sequence[int], labels: Sequence[int] = (0, 1)
) -> dict[str, Any]:
    """Scores of ``y_pred`` against ``y_true``, as plain (JSON-serialisable) Python values.

    Keys: ``n``, ``macro_precision``, ``macro_recall``, ``official_f1`` (GermEval: harmonic mean
    of macro precision and macro recall, 0..1), ``macro_f1`` (mean of per-class F1),
    ``accuracy``, ``confusion_matrix`` (rows = true label, columns = predicted, in ``labels``
    order) and ``per_class`` (``{"0": {"precision", "recall", "f1", "support"}, ...}``).
    A class that is never predicted (or never true) gets precision (or recall) 0.
    """
    y_true, y_pred, labels = list(y_true), list(y_pred), list(labels)
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions")
    if not y_true:
        raise ValueError("no predictions to evaluate")
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average=None, zero_division=0
    )
    macro_p = float(precision.mean())
    macro_r = float(recall.mean())
    official = 2 * macro_p * macro_r / (macro_p + macro_r) if macro_p + macro_r else 0.0
    return {
        "n": len(y_true),
        "macro_precision": macro_p,
        "macro_recall": macro_r,
        "official_f1": official,
        "macro_f1": float(f1.mean()),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "per_class": {
            str(label): {
                "precision": float(p),
                "recall": float(r),
                "f1": float(f),
                "support": int(s),
            }
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        },
    }
