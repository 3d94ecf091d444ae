"""Server time of the workspace with 10,000 held comments: the queue page, its JSON, a decision.

Seeds a fresh database (SQLite file, and a PostgreSQL schema of its own) with held comments
written straight into the tables (one reason with evidence each, as the classifier leaves
them), then times requests through Flask's test client in this process: what the server spends,
without network or browser. Reported per database: p50 and p95 of

- ``GET /moderate`` (the held queue page, 50 cards, with the header's counts);
- ``GET /v1/queue?status=held&limit=50`` (the API's JSON page);
- ``POST /moderate/comments/<id>/decision`` (a reject through the API's code path).

Run::

    python benchmarks/workspace_queue.py [--comments 10000] [--requests 60]
                                         [--databases sqlite,postgresql] [--postgres-url URL]

Targets (issue 11): queue page and JSON < 100 ms at p95, decision < 50 ms. It measures; it
does not fail.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient

from benchmarks.api_load import DATABASES, DEFAULT_POSTGRES, fresh_database
from service import create_app
from service.storage import db, make_engine
from service.storage.keys import create_key
from service.storage.models import Article, Comment, Reason, Revision, spot_sample, utcnow
from service.storage.users import create_user

PASSWORD = "benchmark-password"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def seed(url: str, count: int) -> None:
    """Write ``count`` held comments on 20 articles, oldest first, in three statements."""
    now = utcnow()
    texts = ["Das ist dumm, finde ich.", "Schönes Wetter heute.", "Die Karte ist zu teuer, dumm gelaufen."]
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.insert(Article.__table__), [
            {"id": f"a-{i}", "title": f"Artikel {i}", "body": "Die GPU ist schnell.", "lang": "de",
             "created_at": now, "updated_at": now} for i in range(20)])
        connection.execute(sa.insert(Comment.__table__), [
            {"id": f"c-{i:05d}", "article_id": f"a-{i % 20}", "author_id": f"u-{i % 500}", "lang": "de",
             "status": "held", "revision": 1, "urgency": 0.3 + (i % 60) / 100, "version": 1,
             "spot_sample": spot_sample(f"c-{i:05d}"),
             "created_at": now - timedelta(seconds=count - i), "updated_at": now} for i in range(count)])
        connection.execute(sa.insert(Revision.__table__), [
            {"id": i + 1, "comment_id": f"c-{i:05d}", "number": 1, "text": texts[i % 3], "decision": "hold",
             "scores": {"respectful": 0.6}, "statement_of_reasons": None, "model_version": "bench",
             "policy_version": "bench", "created_at": now} for i in range(count)])
        connection.execute(sa.insert(Reason.__table__), [
            {"revision_id": i + 1, "position": 0, "rule": "respectful", "code": "ABUSIVE", "score": 0.6,
             "threshold": 0.25, "message": {"de": "Verdacht", "en": "Suspected"},
             "evidence": [{"text": "dumm", "start": 12, "end": 16, "weight": 2.5}], "signals": {}}
            for i in range(count)])
    engine.dispose()


def timed(call: Callable[[], Any], requests: int) -> list[float]:
    """Milliseconds per call, after two warm-up calls."""
    for _ in range(2):
        call()
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _ok(response: Any, status: int = 200) -> Any:
    if response.status_code != status:
        raise SystemExit(f"benchmark request failed: {response.status_code} {response.get_data(as_text=True)[-600:]}")
    return response


def bench(url: str, count: int, requests: int) -> dict[str, list[float]]:
    """Seed, log in, and time the three requests."""
    seed(url, count)
    app = create_app({"DATABASE_URL": url, "MODEL_PRELOAD": False, "SECRET_KEY": "benchmark"})
    try:
        with app.app_context():
            create_user(db.session(), username="bench", role="moderator", password=PASSWORD)
            _, key = create_key(db.session(), role="moderator", name="bench")
        client: FlaskClient = app.test_client()
        token = _TOKEN.search(client.get("/moderate/login").get_data(as_text=True)).group(1)
        _ok(client.post("/moderate/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token}),
            303)
        # Log-in starts a fresh session, with a token of its own.
        token = _TOKEN.search(client.get("/moderate").get_data(as_text=True)).group(1)
        ids = iter(f"c-{i:05d}" for i in range(count))
        return {
            "queue page": timed(lambda: _ok(client.get("/moderate")), requests),
            "queue JSON": timed(lambda: _ok(client.get("/v1/queue?status=held&limit=50",
                                                      headers={"Authorization": f"Bearer {key}"})), requests),
            "decision": timed(lambda: _ok(client.post(
                f"/moderate/comments/{next(ids)}/decision", headers={"HX-Request": "true"},
                data={"csrf_token": token, "decision": "reject", "version": "1", "reason_code": "SPAM"})),
                requests),
        }
    finally:
        db.engine(app).dispose()


def p(times: Sequence[float], share: float) -> float:
    """The ``share`` quantile of the times."""
    return statistics.quantiles(times, n=100, method="inclusive")[round(share * 100) - 1]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--databases", default=",".join(DATABASES))
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    args = parser.parse_args(argv)
    print(f"{args.comments} held comments, {args.requests} requests each; server time in ms")
    print(f"{'database':<12}{'request':<14}{'p50':>8}{'p95':>8}")
    for kind in args.databases.split(","):
        with tempfile.TemporaryDirectory() as folder, fresh_database(kind, Path(folder), args.postgres_url) as url:
            for name, times in bench(url, args.comments, args.requests).items():
                print(f"{kind:<12}{name:<14}{p(times, 0.5):>8.1f}{p(times, 0.95):>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
