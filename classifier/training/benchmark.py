"""Time the scoring paths of the installed model against a plain ``Pipeline.predict_proba``.

Everything is measured in one run on the same comments, so the ratios hold even on a busy,
shared machine where absolute numbers wander. The comments are the team's held-out split with
their articles and parents: a realistic mix of lengths, languages and obfuscations.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from classifier.data.teamdata import TeamData
from classifier.serving.model import ModerationModel
from classifier.types import ArticleText, CommentInput


def benchmark_comments(team: TeamData) -> list[CommentInput]:
    """The held-out team comments as the service would receive them."""
    return [
        CommentInput(c.text, ArticleText(team.articles[c.article_id].title,
                                         team.articles[c.article_id].body), team.parent_text(c))
        for c in team.split("heldout")
    ]


def _timings_us(function: Callable[[CommentInput], Any], comments: Sequence[CommentInput],
                rounds: int) -> np.ndarray:
    for comment in comments[:50]:  # warm caches (lemmas, article profiles) as a server would be
        function(comment)
    samples = []
    for _ in range(rounds):
        for comment in comments:
            start = time.perf_counter_ns()
            function(comment)
            samples.append((time.perf_counter_ns() - start) / 1000.0)
    return np.array(samples)


def run_benchmark(model: ModerationModel, comments: Sequence[CommentInput], rounds: int = 3,
                  evidence_above: float = 0.5) -> dict[str, Any]:
    """p50/p99 per comment of each path, batch throughput and the ratios between them.

    :param evidence_above: as the service scores: evidence only for rules at or above the
        policy's lowest hold threshold (0.5 in the default policy).
    """
    for article in {c.article for c in comments if c.article is not None}:
        model.prepare_article(article)  # as the service does when an article is published
    full = _timings_us(lambda c: model.score(c, evidence_above=evidence_above), comments, rounds)
    fast = _timings_us(lambda c: model.score(c, evidence_above=evidence_above, cascade=False),
                       comments, rounds)
    always = _timings_us(lambda c: model.score(c, cascade=False), comments, rounds)
    pipeline = _timings_us(lambda c: model.respect.predict_proba([c.text]), comments, rounds)
    start = time.perf_counter()
    results = model.score_many(comments, evidence_above=evidence_above)
    batch_full = (time.perf_counter() - start) / len(comments) * 1e6
    start = time.perf_counter()
    model.respect.predict_proba([c.text for c in comments])
    batch_pipeline = (time.perf_counter() - start) / len(comments) * 1e6
    return {
        "comments": len(comments),
        "rounds": rounds,
        "single_p50_us": round(float(np.percentile(full, 50)), 1),
        "single_p99_us": round(float(np.percentile(full, 99)), 1),
        "fast_path_p50_us": round(float(np.percentile(fast, 50)), 1),
        "fast_path_p99_us": round(float(np.percentile(fast, 99)), 1),
        "fast_path_all_evidence_p50_us": round(float(np.percentile(always, 50)), 1),
        "pipeline_p50_us": round(float(np.percentile(pipeline, 50)), 1),
        "pipeline_p99_us": round(float(np.percentile(pipeline, 99)), 1),
        "batch_us_per_comment": round(batch_full, 1),
        "pipeline_batch_us_per_comment": round(batch_pipeline, 1),
        "fast_path_vs_pipeline": round(float(np.percentile(fast, 50) / np.percentile(pipeline, 50)), 3),
        "slow_path_share": round(float(np.mean([r.slow_path for r in results])), 4),
        "mean_comment_chars": round(float(np.mean([len(c.text) for c in comments])), 1),
        "evidence_above": evidence_above,
        "model_version": model.version,
    }
