"""Decision targets of the moderation API, measured through the API on the team's held-out split.

Creates the app (``service.create_app``) on a temporary SQLite database with the installed model,
stores the team's articles with ``POST /v1/articles`` and posts every held-out comment with
``POST /v1/comments`` through Flask's test client, one request per comment as the site's backend
would. A reply is posted with its ``parent_id`` after its parent (and the parent's own parents,
held out or not), so that the classifier sees the text it answers, as in production; comments
posted only as parents are not counted.

Targets (issue 4), on the labels in ``training_data/``:

- respectful on-topic comments: >= 90 % approved, none rejected;
- insults (``respectful: false``): >= 90 % not approved (held or rejected);
- off-topic comments (``on_topic: false``): >= 90 % not approved.

Run::

    python benchmarks/api_decisions.py [--model-dir DIR] [--team-dir DIR] [--policy FILE]
                                       [--format text|json]

Exits 0 whether or not the targets are met (it measures; it does not test).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from classifier.cli import default_team_dir
from classifier.data.teamdata import CATEGORIES, TeamComment, TeamData, load_team_data
from common import settings
from service import create_app
from service.storage import db, upgrade_database
from service.storage.keys import create_key

TARGET = 0.90

#: The measured groups: name -> (description, which comments, what counts as a miss).
GROUPS = {
    "respectful_on_topic": "respectful and on topic: should be approved",
    "insult": "not respectful: should be held or rejected",
    "off_topic": "off topic: should be held or rejected",
}


def group_of(comment: TeamComment) -> list[str]:
    """The groups a comment is measured in (an off-topic insult counts in both)."""
    groups = []
    if comment.respectful and comment.on_topic:
        groups.append("respectful_on_topic")
    if not comment.respectful:
        groups.append("insult")
    if not comment.on_topic:
        groups.append("off_topic")
    return groups


def is_miss(comment: TeamComment, decision: str) -> bool:
    """Whether the API got this comment wrong under the targets."""
    if comment.respectful and comment.on_topic:
        return decision != "approve"
    return decision == "approve"


class Poster:
    """Posts team comments through the API, parents first, each comment once."""

    def __init__(self, client: FlaskClient, key: str, team: TeamData) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}
        self.team = team
        self.by_id = {c.id: c for c in team.comments}
        self.decisions: dict[str, dict[str, Any]] = {}
        self.seconds = 0.0

    def article(self, article_id: str) -> None:
        """Store a team article."""
        article = self.team.articles[article_id]
        body = {"id": article.id, "title": article.title, "body": article.body, "lang": article.lang}
        response = self.client.post("/v1/articles", json=body, headers=self.headers)
        if response.status_code not in (200, 201):
            raise SystemExit(
                f"POST /v1/articles {article_id}: {response.status_code} {response.get_data(as_text=True)}"
            )

    def comment(self, comment: TeamComment) -> dict[str, Any]:
        """Post the comment (after its parents) and return the API's answer."""
        if comment.id in self.decisions:
            return self.decisions[comment.id]
        if comment.parent_id is not None and comment.parent_id in self.by_id:
            self.comment(self.by_id[comment.parent_id])
        body = {"id": comment.id, "article_id": comment.article_id, "text": comment.text, "lang": comment.lang}
        if comment.parent_id is not None:
            body["parent_id"] = comment.parent_id
        started = time.perf_counter()
        response = self.client.post("/v1/comments", json=body, headers=self.headers)
        self.seconds += time.perf_counter() - started
        if response.status_code != 201:
            raise SystemExit(
                f"POST /v1/comments {comment.id}: {response.status_code} {response.get_data(as_text=True)}"
            )
        self.decisions[comment.id] = response.json
        return response.json


def measure(model_dir: Path, team_dir: Path, policy: str | None) -> dict[str, Any]:
    """Post the held-out comments through the API and count the decisions."""
    team = load_team_data(team_dir)
    heldout = team.split("heldout")
    with tempfile.TemporaryDirectory(prefix="api-decisions-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'moderation.sqlite'}"
        upgrade_database(url)
        config: dict[str, Any] = {"DATABASE_URL": url, "MODEL_DIR": str(model_dir.resolve())}
        if policy is not None:
            config["POLICY"] = str(Path(policy).resolve())
        app = create_app(config)
        try:
            with app.app_context():
                _, key = create_key(db.session(), role="backend", name="api_decisions benchmark")
            poster = Poster(app.test_client(), key, team)
            for article_id in sorted({c.article_id for c in heldout}):
                poster.article(article_id)
            answers = {c.id: poster.comment(c) for c in heldout}
        finally:
            db.engine(app).dispose()
    return summarize(heldout, answers, poster, team_dir)


def summarize(
    heldout: list[TeamComment], answers: dict[str, dict[str, Any]], poster: Poster, team_dir: Path
) -> dict[str, Any]:
    """Shares per target group, decisions and misses per category."""
    groups: dict[str, Counter] = {name: Counter() for name in GROUPS}
    categories: dict[str, Counter] = defaultdict(Counter)
    missed: list[dict[str, Any]] = []
    for comment in heldout:
        answer = answers[comment.id]
        decision = answer["decision"]
        for name in group_of(comment):
            groups[name][decision] += 1
        counts = categories[comment.category]
        counts[decision] += 1
        if is_miss(comment, decision):
            counts["missed"] += 1
            missed.append(
                {
                    "id": comment.id,
                    "category": comment.category,
                    "decision": decision,
                    "reasons": [reason["code"] for reason in answer["reasons"]],
                    "scores": answer["scores"],
                    "text": comment.text,
                }
            )
    first = next(iter(answers.values()), {})
    return {
        "model_version": first.get("model_version"),
        "policy_version": first.get("policy_version"),
        "team_dir": str(team_dir),
        "comments": len(heldout),
        "replies_with_parent": sum(c.parent_id is not None for c in heldout),
        "extra_parents_posted": len(poster.decisions) - len(heldout),
        "mean_ms_per_comment": round(1000 * poster.seconds / max(len(poster.decisions), 1), 2),
        "targets": _targets(groups),
        "groups": {name: _counts(counts) for name, counts in groups.items()},
        "categories": {
            category: {**_counts(categories[category]), "missed": categories[category]["missed"]}
            for category in CATEGORIES
            if category in categories
        },
        "missed": missed,
    }


def _counts(counts: Counter) -> dict[str, int]:
    """Decision counts with every decision present."""
    return {
        "n": sum(counts[d] for d in ("approve", "hold", "reject")),
        **{d: counts[d] for d in ("approve", "hold", "reject")},
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _targets(groups: dict[str, Counter]) -> list[dict[str, Any]]:
    """Each target: the measured share, the goal and whether it is met."""
    good, insult, off = (_counts(groups[n]) for n in GROUPS)
    rows = [
        ("respectful on-topic approved", _share(good["approve"], good["n"]), ">=", TARGET),
        ("respectful on-topic rejected", _share(good["reject"], good["n"]), "==", 0.0),
        ("insults not approved", _share(insult["n"] - insult["approve"], insult["n"]), ">=", TARGET),
        ("off-topic not approved", _share(off["n"] - off["approve"], off["n"]), ">=", TARGET),
    ]
    return [
        {
            "target": name,
            "share": share,
            "goal": f"{op} {goal:.0%}",
            "met": share is not None and (share >= goal if op == ">=" else share == goal),
        }
        for name, share, op, goal in rows
    ]


def render_text(result: dict[str, Any], show_missed: bool) -> str:
    """The result as plain-text tables."""
    lines = [
        f"model {result['model_version']}, policy {result['policy_version']}: "
        f"{result['comments']} held-out comments ({result['replies_with_parent']} replies, "
        f"posted after their parents; {result['extra_parents_posted']} training-split parents "
        f"posted for context, not counted), {result['mean_ms_per_comment']} ms per POST",
        "",
        f"{'target':32} {'share':>7}  {'goal':>6}  met",
    ]
    for row in result["targets"]:
        share = "-" if row["share"] is None else f"{row['share']:.1%}"
        lines.append(f"{row['target']:32} {share:>7}  {row['goal']:>6}  {'yes' if row['met'] else 'NO'}")
    lines += ["", f"{'category':16} {'n':>4} {'approve':>8} {'hold':>5} {'reject':>7} {'missed':>7}  expected"]
    for category, counts in result["categories"].items():
        respectful, on_topic = CATEGORIES[category]
        expected = "approve" if respectful and on_topic else "hold/reject"
        lines.append(
            f"{category:16} {counts['n']:>4} {counts['approve']:>8} {counts['hold']:>5} "
            f"{counts['reject']:>7} {counts['missed']:>7}  {expected}"
        )
    if show_missed and result["missed"]:
        lines += ["", "missed:"]
        for miss in result["missed"]:
            scores = ", ".join(f"{k} {v:.2f}" for k, v in miss["scores"].items())
            text = miss["text"] if len(miss["text"]) <= 100 else miss["text"][:97] + "..."
            lines.append(f"  {miss['id']} [{miss['category']}] {miss['decision']} ({scores}): {text}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model-dir", type=Path, default=Path(settings.MODEL_DIR.value()),
        help=settings.MODEL_DIR.help(),
    )
    parser.add_argument("--team-dir", type=Path, default=None, help=settings.TEAM_DIR.help())
    parser.add_argument("--policy", default=settings.POLICY.value(), help=settings.POLICY.help())
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--show-missed", action="store_true", help="text format: list every missed comment with its scores"
    )
    args = parser.parse_args(argv)
    if not (args.model_dir / "CURRENT").is_file():
        parser.error(f"no trained model in {args.model_dir} (run: moderation train --model-dir {args.model_dir})")
    result = measure(args.model_dir, args.team_dir or default_team_dir(), args.policy)
    if args.format == "json":
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(render_text(result, args.show_missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
