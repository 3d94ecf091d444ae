"""Choose the policy's thresholds on out-of-fold scores of the team's *training* split.

The decision targets of issue 4 are measured on the held-out split (``benchmarks/api_decisions.py``);
choosing thresholds there would tune on the test. This script instead rebuilds, from a trained
bundle, the out-of-fold scores that training already computed for every training comment of our
own data (respect and on-topic with their encoder cascades, spam; on-topic against the comment's
own article), runs the real policy engine (``policies.decide``) over them for a grid of
thresholds and prints the share of each target group decided as the targets want:

- respectful on-topic comments approved (and how many rejected);
- insults (``respectful: false``) not approved;
- off-topic comments (``on_topic: false``) not approved.

Among the grid points that reject no respectful on-topic comment, it lists first those whose
*worst* rate (approved, insults caught, off-topic caught) is highest: the three targets are
equally weighted, and the point with the most margin on its weakest target is the one least
likely to miss it on new comments. ``--catch`` (default 0.90) drops points whose catch rates fall
below it.

    python experiments/policy_thresholds.py --model-dir models --data-dir ../shared/datasets
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass, replace
from pathlib import Path

from classifier.cli import default_team_dir
from classifier.data.corpora import CORPUS_NAMES
from classifier.data.teamdata import TeamComment, load_team_data
from classifier.serving.bundle import load_model, read_metadata
from classifier.serving.model import respect_cascade, topic_cascade
from classifier.training.train import TrainingOptions, evaluation_keys, normalised_key, topic_examples
from classifier.types import CommentInput, CommentScores, Score
from policies import Policy, decide, load_policy

DEFAULT_POLICY = Path(__file__).resolve().parents[1] / "policies" / "default.json"


@dataclass(frozen=True)
class OutOfFold:
    """A training comment with the scores the models gave it while it was held out of the fit."""

    comment: TeamComment
    respectful: float
    on_topic: float
    spam: float
    # The classifier's evidence_quoted signal (the strongest respect evidence is in quotation
    # marks), taken from the fitted model: which word weighs most barely depends on the fold.
    evidence_quoted: bool = False


def out_of_fold_scores(model_dir: Path, team_dir: Path, data_dir: Path | None) -> list[OutOfFold]:
    """The out-of-fold scores of every team training comment, taken from the bundle."""
    model = load_model(model_dir)
    metadata = read_metadata(model_dir)
    team = load_team_data(team_dir)
    train = team.split("train")
    names = [source["name"] for source in metadata["sources"] if source["name"] in CORPUS_NAMES]
    forbidden = evaluation_keys(team, data_dir, names)
    kept = [c for c in train if normalised_key(c.text) not in forbidden]
    respect = model.respect.named_steps["clf"].oof_proba_[: len(kept)]  # team rows come first
    if model.encoder is not None:
        second = model.encoder.named_steps["clf"].oof_proba_[: len(kept)]
        respect = respect_cascade(respect, second, model.cascade_band)
    # Team rows come first in every model, before any moderators' decisions.
    spam_oof = model.spam.named_steps["clf"].oof_proba_[: len(train)]
    spam = dict(zip((c.id for c in train), spam_oof, strict=True))
    # The on-topic model saw each comment with its own article first, then on-topic ones also
    # under another article; the first pair of each comment is the real one.
    inputs, _, _ = topic_examples(team, train, TrainingOptions().random_state)
    topic_oof = model.topic.named_steps["clf"].oof_proba_[: len(inputs)]
    if model.topic_encoder is not None:  # the cascade: the second stage where the first is unsure
        second_topic = model.topic_encoder.named_steps["clf"].oof_proba_[: len(inputs)]
        topic_oof = topic_cascade(topic_oof, second_topic, model.topic_cascade_band)
    topic: dict[str, float] = {}
    for comment_input, score in zip(inputs, topic_oof, strict=True):
        topic.setdefault(comment_input.text, float(score))
    return [OutOfFold(c, float(r), topic[c.text], spam[c.id], _evidence_quoted(model, c.text))
            for c, r in zip(kept, respect, strict=True)]


def _evidence_quoted(model, text: str) -> bool:
    signals = model.score(CommentInput(text), cascade=False)["respectful"].signals
    return bool(signals.get("evidence_quoted"))


def with_thresholds(policy: Policy, **thresholds: float) -> Policy:
    """``policy`` with thresholds replaced; keys are ``<rule>_<hold|reject>``."""
    rules = dict(policy.rules)
    for key, value in thresholds.items():
        rule, kind = key.rsplit("_", 1)
        rules[rule] = replace(rules[rule], **{kind: value})
    return replace(policy, rules=rules)


def rates(policy: Policy, rows: list[OutOfFold]) -> dict[str, float]:
    """Shares of each target group decided as the targets want, under ``policy``."""
    approved = rejected = fine = insults = insults_caught = insults_rejected = off = off_caught = 0
    for row in rows:
        respectful = Score(row.respectful, signals={"evidence_quoted": row.evidence_quoted})
        scores = CommentScores({"respectful": respectful, "on_topic": Score(row.on_topic), "spam": Score(row.spam)},
                               model_version="oof")
        decision = decide(policy, scores).decision
        if row.comment.respectful and row.comment.on_topic:
            fine += 1
            approved += decision == "approve"
            rejected += decision == "reject"
        if not row.comment.respectful:
            insults += 1
            insults_caught += decision != "approve"
            insults_rejected += decision == "reject"
        if not row.comment.on_topic:
            off += 1
            off_caught += decision != "approve"
    return {"approved": approved / fine, "rejected": rejected, "insults_caught": insults_caught / insults,
            "off_topic_caught": off_caught / off, "insults_rejected": insults_rejected / insults}


def worst(result: dict[str, float]) -> float:
    """The lowest of the three target rates."""
    return min(result["approved"], result["insults_caught"], result["off_topic_caught"])


GRID = {
    "respectful_hold": (0.25, 0.3, 0.35, 0.4, 0.45),
    "respectful_reject": (0.95, 0.97, 0.99, 0.995, 0.999),
    "on_topic_hold": (0.6, 0.65, 0.7, 0.75, 0.8),
    "spam_hold": (0.4, 0.5, 0.6),
    "spam_reject": (0.9, 0.95, 0.98),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, default=None, help="the corpora the model was trained with")
    parser.add_argument("--team-dir", type=Path, default=default_team_dir())
    parser.add_argument("--policy", type=Path, default=DEFAULT_POLICY)
    parser.add_argument("--catch", type=float, default=0.90)
    args = parser.parse_args()
    rows = out_of_fold_scores(args.model_dir, args.team_dir, args.data_dir)
    policy = load_policy(args.policy)
    print(f"{len(rows)} out-of-fold training comments; policy {policy.version}")
    current = rates(policy, rows)
    print("current thresholds:", {k: round(v, 4) for k, v in current.items()})
    results = []
    for values in itertools.product(*GRID.values()):
        thresholds = dict(zip(GRID, values, strict=True))
        results.append((thresholds, rates(with_thresholds(policy, **thresholds), rows)))
    admissible = [(t, r) for t, r in results if r["rejected"] == 0
                  and r["insults_caught"] >= args.catch and r["off_topic_caught"] >= args.catch]
    print(f"{'thresholds':<118} approved rejected insults off-topic insults-rejected")
    for thresholds, r in sorted(admissible, key=lambda item: (-worst(item[1]), -item[1]["approved"]))[:10]:
        print(f"{thresholds!s:<118} {r['approved']:.4f} {r['rejected']:>8} {r['insults_caught']:.4f}"
              f" {r['off_topic_caught']:.4f} {r['insults_rejected']:.4f}")
    if not admissible:
        print("no grid point meets the constraints")


if __name__ == "__main__":
    main()
