"""Every example the README and docs/ show, in the order they run against one fresh service.

A block's name is its marker in the Markdown files (``<!-- example: NAME -->``); one block may
be shown in several files. Blocks run in the order listed here, each on what the earlier ones
stored: the keys are made first, the decision on ``c-1009`` follows the comment, the metrics
count everything before them.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from docs.examples.steps import (
    Block,
    Call,
    Command,
    Commands,
    ErrorCase,
    ErrorTable,
    RouteTable,
)

BACKEND, MODERATOR, MODERATOR2, ADMIN = "BACKEND_KEY", "MODERATOR_KEY", "MODERATOR2_KEY", "ADMIN_KEY"

ARTICLE_ID = "mobilfunk-bahn-2026"
ARTICLE = {
    "id": ARTICLE_ID,
    "title": "Funklöcher an Bahnstrecken: Netzbetreiber sollen bis 2026 nachrüsten",
    "body": "Die Bundesnetzagentur verpflichtet die Mobilfunknetzbetreiber, entlang der Hauptstrecken der "
            "Bahn durchgehend mindestens 100 Mbit/s bereitzustellen. In vielen ICE-Zügen fehlen allerdings "
            "noch funkdurchlässige Scheiben und Repeater, ohne die das Signal im Wagen stark gedämpft wird. "
            "Die Deutsche Bahn will bis Ende 2026 alle Fernverkehrszüge umrüsten.",
    "url": "https://example.org/news/mobilfunk-bahn-2026",
    "lang": "de",
    # Sent with its offset; the API answers in UTC.
    "published_at": "2026-11-20T08:00:00+01:00",
}
INLINE_ARTICLE = {
    "id": "e-rezept-app",
    "lang": "de",
    "title": "E-Rezept: Krankenkassen-Apps lösen Rezepte jetzt per NFC ein",
    "body": "Versicherte können E-Rezepte ab sofort direkt in der App ihrer Krankenkasse einlösen. Dafür "
            "halten sie die elektronische Gesundheitskarte an ein NFC-fähiges Smartphone und geben die PIN "
            "ein. Die Gematik rechnet damit, dass bis Jahresende die Hälfte der Rezepte so eingelöst wird.",
}
FIRST_COMMENT = {
    "id": "c-1001", "article_id": ARTICLE_ID, "author_id": "u-4711", "lang": "de",
    "text": "Endlich. Auf der Strecke Hannover–Berlin bricht bei mir jede Videokonferenz hinter Wolfsburg "
            "ab. Wenn die Scheiben jetzt wirklich getauscht werden, wäre das ein großer Fortschritt.",
}
OFF_TOPIC_EDIT = ("Weiß jemand, ob der Baumarkt am Ostbahnhof sonntags geöffnet hat? Ich brauche dringend "
                  "Dübel.")
ON_TOPIC_EDIT = ("Weiß jemand, ob die Repeater auch in den alten IC2-Doppelstockzügen nachgerüstet werden? "
                 "Dort habe ich zwischen Stuttgart und Singen fast nie Empfang.")
DEFAULT_POLICY = resources.files("policies").joinpath("default.json").read_text(encoding="utf-8")
FIRST_TEXT = ("Die PIN für die Gesundheitskarte hat bei uns in der Familie niemand. Die muss man erst bei der "
              "Kasse beantragen, das dauert Wochen. Solange das so umständlich bleibt, geht kaum jemand den Weg "
              "über die App.")
QUEUE = f"/v1/queue?status=held&article_id={ARTICLE_ID}&reason=IRRELEVANT_CONTENT&lang=de&limit=1"

#: The answer fields a short example shows.
VERDICT = ("id", "decision", "status", "reasons", "scores")


def _comment(comment_id: str, text: str, **fields: Any) -> dict[str, Any]:
    """A comment on the example article."""
    return {"id": comment_id, "article_id": ARTICLE_ID, "lang": "de", "text": text, **fields}


def _post(body: Any, *, show: Any = VERDICT, **options: Any) -> Call:
    """The backend posts a comment."""
    return Call("POST", "/v1/comments", key=BACKEND, body=body, show=show, **options)


def _broken_policy() -> str:
    """The default policy with three mistakes in it."""
    policy = json.loads(DEFAULT_POLICY)
    policy["premoderation"] = "no"
    policy["rules"]["on_topic"]["code"] = "OFF_TOPIC"
    policy["rules"]["spam"]["reject"] = 0.4
    return json.dumps(policy, ensure_ascii=False, indent=2)


def _batch_view(body: dict[str, Any]) -> dict[str, Any]:
    """Each result's status with the comment's decision and reason codes, or the error."""
    results = []
    for item in body["results"]:
        shown = {name: item[name] for name in ("index", "id", "status")}
        if "comment" in item:
            comment = item["comment"]
            shown["comment"] = {"decision": comment["decision"],
                                "reasons": [{"rule": r["rule"], "code": r["code"], "score": r["score"]}
                                            for r in comment["reasons"]]}
        else:
            shown["error"] = item["error"]
        results.append(shown)
    return {"results": results}


def _history_view(body: dict[str, Any]) -> dict[str, Any]:
    """The comment's status and versions, each revision's text and decision, the reviews."""
    return {
        **{name: body[name] for name in ("id", "status", "decision", "revision", "version")},
        "revisions": [{name: revision[name] for name in ("number", "text", "decision", "created_at")}
                      | {"codes": [reason["code"] for reason in revision["reasons"]]}
                      for revision in body["revisions"]],
        "reviews": body["reviews"],
    }


def _queue_view(body: dict[str, Any]) -> dict[str, Any]:
    """The ids, scores and reason codes of a queue page, and its cursor."""
    return {
        "items": [{"id": item["id"], "status": item["status"], "version": item["version"],
                   "text": item["text"], "codes": [reason["code"] for reason in item["reasons"]],
                   "scores": item["scores"]} for item in body["items"]],
        "next_cursor": body["next_cursor"],
    }


def _metrics_view(text: str) -> str:
    """The counters and the served versions, without the latency histogram's buckets (times)."""
    kept = ("moderation_decisions_total", "moderation_decision_reasons_total", "moderation_reviews_total",
            "moderation_model_info", "moderation_policy_info",
            'moderation_request_duration_seconds_count{method="POST",route="/v1/comments"')
    return "\n".join(sorted(line for line in text.splitlines() if line.startswith(kept)))


def _openapi_view(spec: dict[str, Any]) -> dict[str, Any]:
    """The document's header and the operations of each path."""
    return {"openapi": spec["openapi"], "info": spec["info"],
            "paths": {path: sorted(set(operations) - {"parameters"}) for path, operations in spec["paths"].items()},
            "components": sorted(spec["components"])}


def _conflict_view(body: dict[str, Any]) -> dict[str, Any]:
    """The problem and the comment's current status, version and review."""
    problem = {name: value for name, value in body.items() if name != "comment"}
    comment = body["comment"]
    return {**problem, "comment": {name: comment[name] for name in ("id", "status", "version", "review")}}


_KEYS = (("backend", BACKEND), ("moderator", MODERATOR), ("admin", ADMIN))
_TOO_LONG = "Sehr gut. " * 2001

BLOCKS = (
    # README: the first key and the first request.
    Block("first-key", [Command(("keys", "create", "--role", "backend", "--name", "site-backend"),
                                remember=BACKEND)]),
    Block("first-request", [_post({"id": "c-2001", "article": INLINE_ARTICLE, "lang": "de", "text": FIRST_TEXT},
                                  show=None)]),
    Block("more-keys", [Commands((
        Command(("keys", "create", "--role", "moderator", "--name", "anna"), quiet=True, remember=MODERATOR),
        Command(("keys", "create", "--role", "moderator", "--name", "ben"), quiet=True, remember=MODERATOR2),
        Command(("keys", "create", "--role", "admin", "--name", "ops"), quiet=True, remember=ADMIN),
    ))]),
    # docs/api.md
    Block("post-article", [Call("POST", "/v1/articles", key=BACKEND, body=ARTICLE)]),
    Block("get-article", [Call("GET", f"/v1/articles/{ARTICLE_ID}", key=MODERATOR,
                               show=("id", "published_at"))]),
    Block("post-comment", [_post(FIRST_COMMENT, show=None)]),
    Block("post-reply", [_post(_comment("c-1002", "Du bist echt ein Vollidiot, wer im Zug telefoniert, gehört "
                                        "rausgeworfen.", parent_id="c-1001", author_id="u-0815"),
                               show=(*VERDICT, "statement_of_reasons"))]),
    Block("post-off-topic", [_post(_comment("c-1009", "Hat jemand Tipps für ein gutes Rezept für Zwiebelkuchen? "
                                            "Bei mir wird der Boden immer matschig."))]),
    Block("post-again", [_post(FIRST_COMMENT, show=("id", "decision", "revision", "version"))]),
    Block("post-edit", [
        _post(_comment("c-1003", OFF_TOPIC_EDIT), show=("id", "decision", "revision", "version"),
              comment="the first version"),
        _post(_comment("c-1003", ON_TOPIC_EDIT), show=("id", "decision", "status", "revision", "version"),
              comment="the commenter's edit"),
    ]),
    Block("post-batch", [Call("POST", "/v1/comments/batch", key=BACKEND, show=_batch_view, body={"comments": [
        _comment("c-1004", "Die Netzbetreiber haben die Versorgungsauflagen schon 2019 verfehlt. Ohne Bußgelder "
                           "wird sich daran auch diesmal nichts ändern."),
        _comment("c-1005", "Jetzt 50 % Rabatt auf Powerbanks! Nur heute: www.akku-discount-shop.example/bahn"),
        _comment("c-1011", "Mein Verein sucht noch Leute für das Sommerfest am Samstag, Kuchenspenden "
                           "willkommen."),
        _comment("c-1006", "   "),
        _comment("c-1007", "Guter Artikel.") | {"article_id": "gibt-es-nicht"},
    ]})]),
    Block("get-comment", [Call("GET", "/v1/comments/c-1003", key=MODERATOR, show=_history_view)]),
    Block("queue-first-page", [Call("GET", QUEUE, key=MODERATOR, show=_queue_view,
                                    remember=(("CURSOR", "next_cursor"),))]),
    Block("queue-next-page", [Call("GET", QUEUE + "&cursor=$CURSOR", key=MODERATOR, show=_queue_view)]),
    Block("decision", [Call("POST", "/v1/comments/c-1009/decision", key=MODERATOR, show=(
        "id", "decision", "status", "version", "review", "statement_of_reasons"), body={
        "decision": "reject", "reason_code": "IRRELEVANT_CONTENT",
        "note": "Kochrezept, kein Bezug zum Artikel.", "version": 1})]),
    Block("decision-conflict", [Call("POST", "/v1/comments/c-1009/decision", key=MODERATOR2,
                                     body={"decision": "approve", "version": 1}, show=_conflict_view)]),
    Block("error-422", [_post({"id": "c 1", "article_id": ARTICLE_ID, "text": 42}, show=None)]),
    Block("errors", [ErrorTable((
        ErrorCase("malformed JSON", Call("POST", "/v1/comments", key=BACKEND, raw=b'{"id": "c-1", text: "Hallo"}')),
        ErrorCase("a body that is not UTF-8",
                  Call("POST", "/v1/comments", key=BACKEND, raw='{"id": "c-1", "text": "Grüße"}'.encode("latin-1"))),
        ErrorCase("an empty body", Call("POST", "/v1/comments", key=BACKEND, raw=b"")),
        ErrorCase("no key", Call("GET", "/v1/queue")),
        ErrorCase("an unknown key", Call("GET", "/v1/queue", headers=(("Authorization", "Bearer mod_unknown"),))),
        ErrorCase("a key of the wrong role", Call("GET", "/v1/queue", key=BACKEND)),
        ErrorCase("an unknown id in the path", Call("GET", "/v1/comments/c-9999", key=MODERATOR)),
        ErrorCase("a method the route does not have", Call("DELETE", "/v1/comments/c-1001", key=ADMIN)),
        ErrorCase("a decision on a comment that changed meanwhile (above)",
                  Call("POST", "/v1/comments/c-1009/decision", key=MODERATOR2,
                       body={"decision": "approve", "version": 1})),
        ErrorCase("a known comment id under another article (above)",
                  _post(_comment("c-1001", "Anderer Text.") | {"article_id": "e-rezept-app"})),
        ErrorCase("a body over `MODERATION_MAX_CONTENT_LENGTH`",
                  _post(_comment("c-1", "x" * 300_000))),
        ErrorCase("a body not sent as `application/json`",
                  Call("POST", "/v1/comments", key=BACKEND, raw=b"id=c-1",
                       content_type="application/x-www-form-urlencoded")),
        ErrorCase("a compressed body", Call("POST", "/v1/comments", key=BACKEND, raw=b"\x1f\x8b",
                                            headers=(("Content-Encoding", "gzip"),))),
        ErrorCase("a body that is not a JSON object", _post(["c-1"])),
        ErrorCase("empty text, or only spaces or invisible characters", _post(_comment("c-1", " \u200b "))),
        ErrorCase("a text over `MODERATION_MAX_COMMENT_CHARS`", _post(_comment("c-1", _TOO_LONG))),
        ErrorCase("a comment that answers itself", _post(_comment("c-1", "Genau.", parent_id="c-1"))),
        ErrorCase("an unknown `article_id`", _post(_comment("c-1", "Genau.") | {"article_id": "gibt-es-nicht"})),
        ErrorCase("a cursor the API did not hand out", Call("GET", "/v1/queue?cursor=abc", key=MODERATOR)),
    ))]),
    Block("healthz", [Call("GET", "/healthz")]),
    Block("readyz", [Call("GET", "/readyz")]),
    Block("metrics", [Call("GET", "/metrics", show=_metrics_view)]),
    Block("openapi", [Call("GET", "/openapi.json", show=_openapi_view)]),
    Block("routes", [RouteTable(keys=_KEYS, ids=(("article_id", ARTICLE_ID), ("comment_id", "c-1001")),
                                extra=(("GET", "/openapi.json", "The OpenAPI document"),
                                       ("GET", "/docs", "The API documentation page (Swagger UI)")))]),
    # docs/cli.md and docs/operations.md
    Block("decisions-export", [Command(("decisions", "export"))]),
    Block("policy-check", [Commands((
        Command(("policy", "check", "policies/default.json"),
                files=(("policies/default.json", DEFAULT_POLICY),)),
        Command(("policy", "check", "my-policy.json"), files=(("my-policy.json", _broken_policy()),)),
    ))]),
    Block("score", [Command(("score",), stdin=json.dumps({
        "text": "Du bist ein V 0 l l i d i o t",
        "article": {"title": "Ladesäulen: Stadtwerke bauen aus",
                    "body": "Die Stadtwerke bauen 40 neue Schnellladesäulen für Elektroautos."}},
        ensure_ascii=False) + "\n", spread=True)]),
    *(Block(f"help-{'-'.join(args) or 'moderation'}", [Command((*args, "--help"))]) for args in (
        (), ("serve",), ("train",), ("retrain",), ("evaluate",), ("score",), ("benchmark",),
        ("policy", "check"), ("keys", "create"), ("users", "create"), ("users", "list"), ("users", "disable"),
        ("db", "upgrade"), ("decisions", "export"))),
)
