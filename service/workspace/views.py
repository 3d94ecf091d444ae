"""The workspace's pages under /moderate: log-in, the queue, one comment, deciding, undoing.

Server-rendered; htmx posts the decision forms and swaps the card the answer renders, and
``keys.js`` turns keys into clicks on the buttons. Without JavaScript the forms still post.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_wtf.csrf import CSRFError

from policies import review_statement
from policies.policy import LANGUAGES
from service import auth
from service.deciding import Decider, decide
from service.intake import current_policy
from service.schemas import ID
from service.storage import db
from service.storage.models import SECOND_REVIEW, utcnow
from service.storage.reviews import Conflict, NotFound
from service.storage.users import Throttled, log_in, set_preferences
from service.storage.workspace import (
    ORDERS,
    QUEUES,
    VIEWING,
    Filters,
    TooLate,
    article_cards,
    comment_card,
    mark_viewing,
    new_held,
    queue_cards,
    summary,
    undo_review,
    viewers,
)
from service.workspace import cards, security
from service.workspace.keymap import BY_ACTION, PICKER_KEYS, SHORTCUTS
from service.workspace.reasons import OVERRULE_REASONS
from service.workspace.texts import choose_language, language, text

PAGE_SIZE = 50
STATIC = Path(__file__).parent / "static"

bp = Blueprint("workspace", __name__, url_prefix=security.PATH, template_folder="templates")


@bp.before_request
def _before() -> None:
    """Check the CSRF token of every state-changing request; pick the language."""
    g.language = choose_language(None)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        security.csrf.protect()


bp.after_request(security.secure_headers)


@bp.context_processor
def _globals() -> dict[str, Any]:
    return {"t": text, "language": language, "shortcuts": SHORTCUTS, "key": BY_ACTION,
            "picker_keys": PICKER_KEYS, "slots": cards.rule_slots(current_policy()), "rule_label": cards.rule_label}


@bp.errorhandler(CSRFError)
def _csrf_refused(error: CSRFError) -> tuple[str, int]:
    return render_template("workspace/message.html", message=text("csrf")), 400


@bp.get("/static/<path:filename>")
@auth.public
def static(filename: str) -> Response:
    """The workspace's own scripts and styles (nothing is loaded from elsewhere)."""
    return send_from_directory(STATIC, filename, max_age=3600)


@bp.route("/login", methods=["GET", "POST"])
@auth.public
def login() -> Any:
    """The log-in form; a success starts a fresh session and opens the queue."""
    error = None
    status = 200
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        result = log_in(db.session(), username, password, request.remote_addr or "unknown")
        if isinstance(result, Throttled):
            error, status = text("login.throttled", time=result.until.strftime("%H:%M")), 429
        elif result is None:
            error, status = text("login.failed"), 401
        else:
            security.start_session(result)
            return redirect(url_for("workspace.queue"), 303)
    return render_template("workspace/login.html", error=error), status


@bp.post("/logout")
@security.login_required
def logout() -> Response:
    """End the session."""
    security.end_session()
    return redirect(url_for("workspace.login"), 303)


@bp.post("/language")
@security.login_required
def switch_language() -> Response:
    """Remember the user's choice of language."""
    chosen = request.form.get("language")
    set_preferences(db.session(), security.current_user().id, language=chosen if chosen in LANGUAGES else None)
    return redirect(url_for("workspace.queue"), 303)


@bp.post("/shortcuts")
@security.login_required
def switch_shortcuts() -> Response:
    """Turn the user's single-letter keys on or off (WCAG 2.1.4)."""
    set_preferences(db.session(), security.current_user().id, shortcuts=request.form.get("shortcuts") == "on")
    return redirect(url_for("workspace.queue"), 303)


@bp.post("/comments/<id:comment_id>/viewing")
@security.login_required
def viewing(comment_id: str) -> tuple[str, int]:
    """Note that the user has this comment selected (keys.js posts it), for others' marker."""
    mark_viewing(db.session(), security.current_user().id, comment_id)
    return "", 204


@bp.get("")
@security.login_required
def queue() -> str:
    """A queue (held unless ``queue`` names another of QUEUES), oldest first unless ``order=urgent``."""
    args = request.args
    order = args.get("order") if args.get("order") in ORDERS else "oldest"
    rule_codes = sorted({rule.code for rule in current_policy().rules.values()})
    filters = Filters(
        status=args.get("queue") if args.get("queue") in QUEUES else "held",
        article_id=args.get("article") if ID.match(args.get("article", "")) else None,
        reason=args.get("reason") if args.get("reason") in rule_codes else None,
        lang=args.get("lang") if args.get("lang") in LANGUAGES else None,
    )
    found = queue_cards(db.session(), filters, order=order, limit=PAGE_SIZE,
                        spot_check_share=current_app.config["SPOT_CHECK_SHARE"])
    return render_template("workspace/queue.html", cards=cards.cards(found), order=order, filters=filters,
                           viewing=_viewers(found.comments),
                           rule_codes=rule_codes,
                           languages=LANGUAGES, shown_at=f"{utcnow().timestamp():.3f}", summary=_summary(),
                           **_picker())


@bp.get("/news")
@security.login_required
def news() -> str:
    """The header's counts, how many held comments came in since the page was shown, and who
    else is looking at which comment, for the cards' markers (polled)."""
    try:
        since = datetime.fromtimestamp(float(request.args.get("since", "")), UTC)
    except (ValueError, OverflowError, OSError):
        since = utcnow()
    return render_template("workspace/news.html", summary=_summary(), new=new_held(db.session(), since),
                           viewing=_viewers(None))


@bp.get("/articles/<id:article_id>")
@security.login_required
def article(article_id: str) -> Any:
    """An article with all its comments in thread order and their status, to moderate from there."""
    found_article, found = article_cards(db.session(), article_id)
    if found_article is None:
        return _not_found()
    return render_template("workspace/article.html", article=found_article, viewing=_viewers(found.comments),
                           thread=cards.thread_order(cards.cards(found)), summary=_summary(), **_picker())


@bp.get("/comments/<id:comment_id>")
@security.login_required
def single(comment_id: str) -> Any:
    """One comment on its own (key ``z``)."""
    card = _card_of(comment_id)
    if card is None:
        return _not_found()
    picker = _picker()
    events = cards.history(card.comment, picker["reason_labels"])
    return render_template("workspace/single.html", card=card, events=events, clock=cards.clock,
                           summary=_summary(), **picker)


@bp.post("/comments/<id:comment_id>/decision")
@security.login_required
def decision(comment_id: str) -> Any:
    """Approve or reject, through the API's code path; a changed comment is shown again (409)."""
    card = _card_of(comment_id)
    if card is None:
        return _not_found()
    chosen, problem = _read_decision(card, request.form)
    if problem is not None:
        return _fragment(card, notice=text("invalid", problem=problem)), 422
    user = security.current_user()
    try:
        decide(comment_id, Decider(user.username, user_id=user.id), **chosen)
    except NotFound:
        return _not_found()
    except Conflict:
        return _changed(comment_id)
    return _answer(comment_id, decided=True)


@bp.post("/comments/<id:comment_id>/undo")
@security.login_required
def undo(comment_id: str) -> Any:
    """Take back the user's decision within MODERATION_UNDO_SECONDS."""
    version = _integer(request.form.get("version"))
    window = timedelta(seconds=current_app.config["UNDO_SECONDS"])
    try:
        undo_review(db.session(), comment_id, user_id=security.current_user().id, version=version or 0,
                    window=window)
    except NotFound:
        return _not_found()
    except Conflict:
        return _changed(comment_id)
    except TooLate:
        return _fragment(_card_of(comment_id), notice=text("undo.too_late")), 409
    return _answer(comment_id, notice=text("undone"))


def _read_decision(card: cards.Card, form: Any) -> tuple[dict[str, Any], str | None]:
    """The decision the form asks for, or the problem with it (in words)."""
    decision = form.get("decision")
    if decision not in ("approve", "reject"):
        return {}, text("invalid.reason")
    chosen: dict[str, Any] = {"decision": decision, "version": _integer(form.get("version"))}
    note = (form.get("note") or "").strip()[:2000] or None
    if decision == "reject":
        reasons = {reason.code: reason for reason in current_policy().moderator_reasons}
        reason = reasons.get(form.get("reason_code", ""))
        if reason is None:
            return {}, text("invalid.reason")
        if reason.needs_note and note is None:
            return {}, text("invalid.note")
        chosen["reason_code"] = reason.code
        if reason.second_review:  # not decided: held for a second moderator
            chosen["decision"] = SECOND_REVIEW
    if card.overrules(decision):  # a second review takes the comment down, as a reject would
        overrule = form.get("overrule_reason")
        if overrule not in OVERRULE_REASONS:
            return {}, text("invalid.overrule")
        if overrule == "OTHER" and note is None:
            return {}, text("invalid.note")
        chosen["overrule_reason"] = overrule
    chosen["note"] = note
    return chosen, None


def _integer(value: str | None) -> int | None:
    """A whole number from a form field, or None."""
    return int(value) if value is not None and value.isdecimal() and len(value) < 10 else None


def _viewers(comments: list[Any] | None) -> dict[str, list[str]]:
    """Who else is looking at the comments shown (None: at any comment), by comment id."""
    ids = None if comments is None else [comment.id for comment in comments]
    return viewers(db.session(), ids, besides=security.current_user().id, within=VIEWING)


def _card_of(comment_id: str) -> cards.Card | None:
    """The card of one comment, or None if there is no such comment."""
    shown = cards.cards(comment_card(db.session(), comment_id))
    return shown[0] if shown else None


def _not_found() -> tuple[str, int]:
    return render_template("workspace/message.html", message=text("not_found")), 404


def _answer(comment_id: str, **shown: Any) -> Response:
    """After a change: the card for htmx, else (a plain form post) back to the queue."""
    if not request.headers.get("HX-Request"):
        return redirect(url_for("workspace.queue"), 303)
    return _fragment(_card_of(comment_id), **shown)


def _changed(comment_id: str) -> tuple[Response, int]:
    """The card as it is now, with a note that it changed (the API's 409)."""
    card = _card_of(comment_id)
    status = text(f"status.{card.comment.status}")
    return _fragment(card, notice=text("conflict", status=status)), 409


def _fragment(card: cards.Card, *, notice: str | None = None, decided: bool = False) -> Response:
    """One card as an htmx fragment, with the queue's count swapped in out of band."""
    body = render_template("workspace/card_fragment.html", card=card, notice=notice, decided=decided,
                           summary=_summary(), undo_seconds=current_app.config["UNDO_SECONDS"], **_reason_labels())
    return make_response(body)


def _summary() -> dict[str, Any]:
    """The header's figures: comments per queue, how long the oldest held waits, held per article."""
    figures = summary(db.session(), spot_check_share=current_app.config["SPOT_CHECK_SHARE"])
    return {"counts": figures.counts, "by_article": figures.held_by_article,
            "oldest": cards.waiting_since(figures.oldest) if figures.oldest is not None else None}


def _picker() -> dict[str, Any]:
    """What the page's reason pickers offer: the site's reasons with their statements, overrules."""
    policy = current_policy()
    reasons = [(reason, text("picker.second_review") if reason.second_review
                else review_statement(policy, "reject", reason.code)[language()])
               for reason in policy.moderator_reasons]
    return {"reject_reasons": reasons, "overrule_reasons": OVERRULE_REASONS, **_reason_labels()}


def _reason_labels() -> dict[str, Any]:
    """The site's words for each reason code, for the decided cards."""
    return {"reason_labels": {reason.code: reason.label[language()] for reason in current_policy().moderator_reasons}}
