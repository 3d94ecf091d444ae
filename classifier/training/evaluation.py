"""Evaluate the installed model on a corpus' evaluation split or on our own held-out comments."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from classifier.data.corpora import CORPUS_NAMES, UnknownCorpusError, load_corpus
from classifier.data.teamdata import TeamComment, TeamData, load_team_data
from classifier.ontopic.lexical import content_words
from classifier.scores import ON_TOPIC, RESPECTFUL, SCORES, SPAM
from classifier.serving.bundle import read_metadata
from classifier.serving.model import ModerationModel
from classifier.text.links import link_spans
from classifier.training.metrics import evaluate_predictions
from classifier.training.train import CORPUS_DOMAINS, TEAM_SOURCE
from classifier.types import ArticleText, CommentInput

EVALUATION_CORPORA = (*CORPUS_NAMES, TEAM_SOURCE)
HARD_CASES = ("group_mention", "quoted_slur")
#: The score every public corpus labels: its metrics are the result's top level, at the corpus'
#: own threshold, so that the team's figures compare with the public corpora's.
HEADLINE = RESPECTFUL


def evaluate(
    model: ModerationModel,
    model_dir: Path,
    corpus: str,
    *,
    split: str = "test",
    data_dir: Path | None = None,
    team_dir: Path | None = None,
    hold: float = 0.5,
    reject: float = 0.9,
    topic_hold: float = 0.7,
    spam_hold: float = 0.5,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Score ``corpus``'s ``split`` with ``model`` and return the metrics as plain values.

    Public corpora are scored with the head of their domain (tweets or news comments) and the
    decision threshold chosen for that corpus on its out-of-fold training scores. The team's
    held-out split is also checked against the policy thresholds ``hold``/``reject`` (respect)
    and ``topic_hold``/``spam_hold`` (the on-topic and spam rules' hold thresholds).
    """
    if corpus not in EVALUATION_CORPORA:
        raise UnknownCorpusError(
            f"Unknown corpus {corpus!r}; choose one of: {', '.join(EVALUATION_CORPORA)}."
        )
    domain = CORPUS_DOMAINS[corpus]
    metadata = read_metadata(model_dir, model.version)
    # The corpus' own threshold; bundles made before there were any have their domain's.
    threshold = metadata.get("respect_corpus_thresholds", {}).get(
        corpus, metadata.get("respect_thresholds", {}).get(domain, 0.5))
    scorer = model.with_respect_domain(domain)
    if corpus == TEAM_SOURCE:
        if team_dir is None:
            raise ValueError("team_dir is needed to evaluate on training_data")
        return _evaluate_team(scorer, load_team_data(Path(team_dir)), split, threshold,
                              _Holds(hold, reject, topic_hold, spam_hold), progress)
    if data_dir is None:
        raise ValueError("a public corpus needs a data directory: give --data-dir or set MODERATION_DATA_DIR")
    rows = load_corpus(corpus, Path(data_dir), split)
    progress(f"{corpus} {split}: scoring {len(rows)} texts")
    scores = [scorer.score(CommentInput(row.text), evidence=False) for row in rows]
    probabilities = np.array([s[HEADLINE.name].score for s in scores])
    result = _result(corpus, split, [r.label for r in rows], probabilities, threshold)
    result["slow_path_share"] = round(float(np.mean([s.slow_path for s in scores])), 4)
    result["domain"] = domain
    result["model_version"] = model.version
    return result


def _result(corpus: str, split: str, labels, probabilities: np.ndarray,
            threshold: float) -> dict[str, Any]:
    metrics = evaluate_predictions(labels, (probabilities >= threshold).astype(int))
    return {"corpus": corpus, "split": split, **metrics, "threshold": threshold}


@dataclass(frozen=True)
class _Holds:
    hold: float
    reject: float
    topic_hold: float
    spam_hold: float


def _evaluate_team(model: ModerationModel, team: TeamData, split: str, threshold: float,
                   holds: _Holds, progress: Callable[[str], None]) -> dict[str, Any]:
    hold, reject = holds.hold, holds.reject
    split = "heldout" if split == "test" else split
    comments = team.split(split)
    progress(f"{TEAM_SOURCE} {split}: scoring {len(comments)} comments")
    scores = [
        model.score(CommentInput(c.text, ArticleText(team.articles[c.article_id].title,
                                                     team.articles[c.article_id].body),
                                 team.parent_text(c)), evidence=False)
        for c in comments
    ]
    # The scores the model gives: a bundle trained before a score was registered lacks it.
    given = [spec for spec in SCORES if all(spec.name in s.scores for s in scores)]
    values = {spec.name: np.array([s[spec.name].score for s in scores]) for spec in given}
    # Per score the team labels, whether each comment breaks it.
    broken = {spec.name: np.array([spec.team_label.broken(c) for c in comments], dtype=bool)
              for spec in given if spec.team_label is not None}
    respect = values[RESPECTFUL.name]
    result = _result(TEAM_SOURCE, split, broken[HEADLINE.name].astype(int).tolist(), values[HEADLINE.name],
                     threshold)
    for name, labels in broken.items():
        if name != HEADLINE.name:
            result[name] = evaluate_predictions(labels.astype(int).tolist(), (values[name] >= 0.5).astype(int))
    fine = ~np.logical_or.reduce(list(broken.values()))  # breaks none of the labelled rules
    worst = np.maximum.reduce(list(values.values()))
    insults, off = broken[RESPECTFUL.name], broken[ON_TOPIC.name]
    categories = Counter(c.category for c in comments)
    result["targets"] = {
        "hold_threshold": hold,
        "reject_threshold": reject,
        "respectful_on_topic_below_reject": _share(worst[fine] < reject),
        "respectful_on_topic_below_hold": _share(worst[fine] < hold),
        "insults_caught": _share(respect[insults] >= hold),
        # Off-topic comments are caught by either score: spam is off topic too.
        "off_topic_caught": _share(np.maximum(values[ON_TOPIC.name], values[SPAM.name])[off] >= hold),
    }
    result["on_topic_targets"] = _on_topic_targets(team, comments, values, off, holds)
    result["hard_cases"] = {
        category: {
            "n": categories[category],
            "false_positive_rate": _share(np.array(
                [r >= hold for r, c in zip(respect, comments, strict=True) if c.category == category]
            )),
        }
        for category in HARD_CASES
    }
    result["model_version"] = model.version
    return result


def _on_topic_targets(team: TeamData, comments: list[TeamComment], values: dict[str, np.ndarray],
                      off: np.ndarray, holds: _Holds) -> dict[str, Any]:
    """The on-topic rule's false alarms by kind of comment, and the off-topic comments it or the
    spam rule holds, at those rules' hold thresholds."""
    held_as_off_topic = values[ON_TOPIC.name] >= holds.topic_hold
    with_link = np.array([bool(link_spans(c.text)) for c in comments], dtype=bool)
    no_shared = shares_no_article_word(team, comments)
    reply = np.array([c.parent_id is not None for c in comments], dtype=bool)
    on = ~off
    kinds = {"all": on, "with_link": on & with_link, "sharing_no_article_word": on & no_shared,
             "replies": on & reply}
    return {
        "topic_hold": holds.topic_hold,
        "spam_hold": holds.spam_hold,
        "on_topic_below_hold": {kind: {"n": int(mask.sum()), "share": _share(~held_as_off_topic[mask])}
                                for kind, mask in kinds.items()},
        "off_topic_caught": _share((held_as_off_topic | (values[SPAM.name] >= holds.spam_hold))[off]),
    }


def shares_no_article_word(team: TeamData, comments: list[TeamComment]) -> np.ndarray:
    """Per comment, whether none of its content words (lemmas) occurs in its article."""
    article_lemmas = {article_id: {w.lemma for w in content_words(f"{article.title}\n{article.body}")}
                      for article_id, article in team.articles.items()}
    return np.array([not {w.lemma for w in content_words(c.text)} & article_lemmas[c.article_id]
                     for c in comments], dtype=bool)


def _share(mask: np.ndarray) -> float | None:
    return round(float(mask.mean()), 4) if mask.size else None
