"""The moderators' workspace without a browser: accounts, safety, the queue, deciding, undoing."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

import service.schemas as schemas
import service.storage.users as users
import service.storage.workspace as workspace
from service.storage import db
from service.storage.decisions import write_decisions
from service.storage.models import Review, spot_sample
from service.storage.users import MAX_FAILURES_PER_USER, disable_user
from service.workspace import security
from service.workspace.cards import signal_words
from service.workspace.keymap import SHORTCUTS
from service.workspace.texts import TEXTS
from tests.service.workspace_fixtures import PASSWORD, Moderator, csrf_token


def held(api, comment_id: str = "c-1", text: str = "Das ist dumm.", **fields) -> dict:
    """Post a comment the fake model holds (on article a-1, posted first if need be)."""
    if api.get("/v1/articles/a-1", role="backend").status_code == 404:
        api.post_article()
    response = api.post_comment(id=comment_id, text=text, **fields)
    assert response.json["decision"] == "hold", response.json
    return response.json


def reviews(app) -> list[Review]:
    with app.app_context(), db.session().begin():
        return list(db.session().scalars(sa.select(Review).order_by(Review.id)))


# --- accounts and safety --------------------------------------------------------------------


def test_the_queue_without_a_session_redirects_to_the_log_in_page(client):
    response = client.get("/moderate")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/moderate/login")


def test_log_in_sets_a_strict_session_cookie_and_opens_the_queue(app, make_user):
    make_user("anna")
    anna = Moderator(app.test_client())
    response = anna.log_in("anna")
    assert (response.status_code, response.headers["Location"]) == (303, "/moderate")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/moderate" in cookie
    assert "Secure" not in cookie  # the test client's host is localhost
    assert "Angemeldet als anna" in anna.page().get_data(as_text=True)


def test_the_cookie_is_secure_on_any_other_host(app, make_user):
    make_user("anna")
    client = app.test_client()
    page = client.get("/moderate/login", base_url="https://moderation.example")
    response = client.post("/moderate/login", base_url="https://moderation.example",
                           headers={"Referer": "https://moderation.example/moderate/login"},
                           data={"username": "anna", "password": "richtig-geheim-1",
                                 "csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_wrong_password_is_refused_and_repeated_failures_are_throttled(app, make_user):
    make_user("anna")
    anna = Moderator(app.test_client())
    for _ in range(MAX_FAILURES_PER_USER):
        response = anna.log_in("anna", "falsch-falsch")
        assert response.status_code == 401
        assert "Benutzername oder Passwort falsch." in response.get_data(as_text=True)
    # Now even the right password waits: guessing cannot go on.
    response = anna.log_in("anna")
    assert response.status_code == 429
    assert "Zu viele Fehlversuche" in response.get_data(as_text=True)


def test_failures_are_throttled_per_address_across_usernames(app, monkeypatch):
    monkeypatch.setattr(users, "MAX_FAILURES_PER_ADDRESS", 3)
    guesser = Moderator(app.test_client())
    for name in ("a1", "a2", "a3"):
        assert guesser.log_in(name, "falsch-falsch").status_code == 401
    assert guesser.log_in("a4", "falsch-falsch").status_code == 429


def test_a_post_without_the_csrf_token_is_refused(moderator, api):
    held(api)
    response = moderator.client.post("/moderate/comments/c-1/decision",
                                     data={"decision": "approve", "version": "1"})
    assert response.status_code == 400
    assert "Seite neu laden" in response.get_data(as_text=True)
    assert api.get("/v1/comments/c-1", role="moderator").json["status"] == "held"


def test_the_api_stays_free_of_csrf_tokens(api):
    held(api)
    response = api.post("/v1/comments/c-1/decision", role="moderator", json={"decision": "approve"})
    assert response.status_code == 200


def test_a_disabled_users_session_ends_at_once(app, moderator):
    with app.app_context():
        disable_user(db.session(), "anna")
    response = moderator.client.get("/moderate")
    assert response.status_code == 302
    assert moderator.log_in("anna").status_code == 401


def test_log_out_ends_the_session(moderator):
    assert moderator.post("/moderate/logout", htmx=False).status_code == 303
    assert moderator.client.get("/moderate").status_code == 302


def test_workspace_pages_carry_a_strict_content_security_policy(moderator):
    for response in (moderator.page(), moderator.client.get("/moderate/login")):
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert response.headers["Referrer-Policy"] == "same-origin"
        html = response.get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "<style" not in html


def test_without_a_configured_key_one_is_kept_in_the_instance_folder(build_app, tmp_path):
    first = build_app(SECRET_KEY=None)
    key_file = Path(first.instance_path) / security.SECRET_KEY_FILE
    try:
        assert build_app(SECRET_KEY=None).config["SECRET_KEY"] == first.config["SECRET_KEY"]
        assert key_file.stat().st_mode & 0o077 == 0
    finally:
        key_file.unlink(missing_ok=True)


def test_the_vendored_htmx_is_the_one_documented():
    vendor = Path(security.__file__).parent / "static" / "vendor"
    digest = hashlib.sha256((vendor / "htmx-2.0.11.min.js").read_bytes()).hexdigest()
    assert digest in (vendor / "README.md").read_text()


# --- the queue ------------------------------------------------------------------------------


def test_a_card_shows_the_comment_highlighted_with_its_reasons_in_words(moderator, api):
    api.post_article(title="Grafikkarten & Preise")
    held(api, text="Das ist dumm, sagt er.", author_id="u-7")
    html = moderator.page().get_data(as_text=True)
    assert "1 zurückgehalten" in html
    assert re.search(r'<mark class="rule rule-0" data-rule="respectful" title="respektlos, Gewicht 2,50">dumm</mark>',
                     html)
    assert re.search(r"Zurückgehalten: respektlos \(0,\d\d ≥ 0,25\)", html)
    assert "Autor u-7" in html and "Grafikkarten &amp; Preise" in html
    assert "Modell fake-1" in html


def test_a_card_shows_the_first_lines_of_its_article_escaped(moderator, api):
    body = "Nvidia & AMD <b>senken</b> die Preise. " + "Mehr Text folgt hier. " * 30
    api.post_article(body=body)
    held(api)
    html = moderator.page().get_data(as_text=True)
    lead = re.search(r'<p class="lead">([^<]*)</p>', html).group(1)
    assert lead.startswith("Nvidia &amp; AMD &lt;b&gt;senken&lt;/b&gt; die Preise.")
    assert lead.endswith("...") and len(lead) < len(body)


def test_english_by_accept_language_or_the_users_choice(moderator, api):
    held(api)
    english = moderator.client.get("/moderate", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "1 held" in english and "Held: disrespectful" in english
    moderator.post("/moderate/language", htmx=False, language="en")
    assert "1 held" in moderator.client.get("/moderate").get_data(as_text=True)


def test_the_oldest_comment_comes_first_unless_urgent_is_asked_for(moderator, api):
    held(api, "c-old", "Das ist dumm.")
    held(api, "c-new", "Das Wetter heute, dumm.")
    oldest = moderator.page().get_data(as_text=True)
    assert oldest.index('id="card-c-old"') < oldest.index('id="card-c-new"')
    urgent = moderator.page("/moderate?order=urgent").get_data(as_text=True)
    # The weather makes c-new off topic too: its highest score is the on-topic rule's.
    assert urgent.index('id="card-c-new"') < urgent.index('id="card-c-old"')


def test_a_reply_shows_its_parent(moderator, api):
    held(api, "c-parent", "Das ist dumm.")
    held(api, "c-reply", "Selber dumm.", parent_id="c-parent")
    html = moderator.page("/moderate/comments/c-reply").get_data(as_text=True)
    assert "Antwort auf" in html and "Das ist dumm." in html


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script> dumm",
    '<img src=x onerror="alert(1)"> dumm',
    '<a href="javascript:alert(1)">klick</a> dumm',
    "&lt;b&gt; &amp; dumm",
    "\u202eevil\u202c dumm \u200b",
])
def test_a_readers_markup_stays_text_even_inside_highlights(moderator, api, payload):
    held(api, text=payload)
    html = moderator.page().get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and '<a href="javascript' not in html
    shown = payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
    before_highlight = shown.split(" dumm")[0]
    assert f'<p class="text">{before_highlight} <mark' in html  # every character as typed


def test_the_help_lists_every_key_of_the_map_and_buttons_carry_them(moderator, api):
    held(api)
    html = moderator.page().get_data(as_text=True)
    decided = moderator.decide("c-1", decision="reject", version="1", reason_code="SPAM").get_data(as_text=True)
    for shortcut in SHORTCUTS:
        for key in shortcut.keys:
            assert f"<kbd>{key}</kbd>" in html
        assert f'data-hotkey="{shortcut.hotkey}"' in (decided if shortcut.action == "undo" else html)


def test_the_catalogues_have_the_same_strings_and_placeholders():
    german, english = TEXTS["de"], TEXTS["en"]
    assert german.keys() == english.keys()
    for key in german:
        assert re.findall(r"{\w+}", german[key]) == re.findall(r"{\w+}", english[key]), key


# --- deciding and undoing --------------------------------------------------------------------


def test_approving_a_held_comment_asks_why_the_model_was_wrong(app, moderator, api):
    held(api)
    response = moderator.decide("c-1", decision="approve", version="1")
    assert response.status_code == 422
    assert "warum anders als das Modell" in response.get_data(as_text=True)
    response = moderator.decide("c-1", decision="approve", version="1", overrule_reason="QUOTE_OR_IRONY")
    assert response.status_code == 200
    assert "Freigegeben von anna." in response.get_data(as_text=True)
    assert '<span id="held-count" class="count" hx-swap-oob="true">0 zurückgehalten</span>' in response.get_data(
        as_text=True)
    (review,) = reviews(app)
    assert (review.moderator, review.api_key_id, review.overrule_reason) == ("anna", None, "QUOTE_OR_IRONY")
    assert review.user_id is not None
    assert api.get("/v1/comments/c-1", role="moderator").json["status"] == "approved"


def test_a_reject_needs_one_of_the_sites_reasons_and_stores_its_code(app, moderator, api):
    held(api)
    assert moderator.decide("c-1", decision="reject", version="1", reason_code="NOPE").status_code == 422
    assert moderator.decide("c-1", decision="reject", version="1", reason_code="OTHER").status_code == 422
    response = moderator.decide("c-1", decision="reject", version="1", reason_code="ABUSIVE")
    assert response.status_code == 200
    (review,) = reviews(app)
    assert (review.decision, review.reason_code, review.overrule_reason) == ("reject", "ABUSIVE", None)
    assert review.statement_of_reasons["de"].startswith("Ihr Kommentar wurde nicht veröffentlicht.")


def test_a_rejects_statement_reaches_the_commenter_only_after_the_undo_window(app, moderator, api, monkeypatch):
    held(api)
    moderator.decide("c-1", decision="reject", version="1", reason_code="ABUSIVE")
    (review,) = reviews(app)
    stored = review.statement_of_reasons
    assert stored["de"].startswith("Ihr Kommentar wurde nicht veröffentlicht.")
    until = review.decided_at + timedelta(seconds=app.config["UNDO_SECONDS"])
    comment = api.get("/v1/comments/c-1", role="backend").json
    assert (comment["status"], comment["statement_of_reasons"]) == ("rejected", None)
    assert comment["statement_withheld_until"] == until.isoformat()
    assert comment["review"]["statement_of_reasons"] is None
    assert [r["statement_of_reasons"] for r in comment["reviews"]] == [None]
    monkeypatch.setattr(schemas, "utcnow", lambda: until)  # the last moment undo is still possible
    assert api.get("/v1/comments/c-1", role="backend").json["statement_of_reasons"] is None
    monkeypatch.setattr(schemas, "utcnow", lambda: until + timedelta(microseconds=1))
    comment = api.get("/v1/comments/c-1", role="backend").json
    assert (comment["statement_of_reasons"], comment["statement_withheld_until"]) == (stored, None)
    assert comment["review"]["statement_of_reasons"] == stored
    assert reviews(app)[0].statement_of_reasons == stored  # stored unchanged


def test_an_api_keys_reject_states_its_reasons_at_once(api):
    held(api)
    response = api.post("/v1/comments/c-1/decision", role="moderator", json={"decision": "reject", "version": 1})
    assert response.json["statement_of_reasons"]["de"].startswith("Ihr Kommentar wurde nicht veröffentlicht.")
    assert response.json["statement_withheld_until"] is None


def test_a_decision_on_a_comment_that_changed_shows_its_current_state(app, moderator, api):
    held(api)
    api.post("/v1/comments/c-1/decision", role="moderator", json={"decision": "reject", "version": 1})
    response = moderator.decide("c-1", decision="reject", version="1", reason_code="ABUSIVE")
    assert response.status_code == 409
    assert "inzwischen geändert (abgelehnt)" in response.get_data(as_text=True)
    assert len(reviews(app)) == 1


def test_undo_within_the_window_puts_the_comment_back(app, moderator, api):
    held(api)
    moderator.decide("c-1", decision="reject", version="1", reason_code="SPAM")
    response = moderator.post("/moderate/comments/c-1/undo", version="2")
    assert response.status_code == 200
    assert "wieder in der Warteschlange" in response.get_data(as_text=True)
    assert reviews(app) == []
    assert api.get("/v1/comments/c-1", role="moderator").json["status"] == "held"


def test_undo_is_refused_once_the_window_has_passed(app, moderator, api, monkeypatch):
    held(api)
    moderator.decide("c-1", decision="reject", version="1", reason_code="SPAM")
    app.config["UNDO_SECONDS"] = 0.0
    later = workspace.utcnow() + timedelta(seconds=1)
    monkeypatch.setattr(workspace, "utcnow", lambda: later)
    response = moderator.post("/moderate/comments/c-1/undo", version="2")
    assert response.status_code == 409
    assert "Zu spät" in response.get_data(as_text=True)
    assert len(reviews(app)) == 1


def test_only_the_user_who_decided_can_undo(app, moderator, api, log_in_as):
    held(api)
    moderator.decide("c-1", decision="reject", version="1", reason_code="SPAM")
    ben = log_in_as("ben")
    assert ben.post("/moderate/comments/c-1/undo", version="2").status_code == 409
    assert len(reviews(app)) == 1


def test_undo_restores_the_earlier_moderators_decision_not_the_models(app, moderator, api, log_in_as):
    held(api)
    moderator.decide("c-1", decision="reject", version="1", reason_code="SPAM")
    ben = log_in_as("ben")
    answer = ben.decide("c-1", decision="approve", version="2", overrule_reason="QUOTE_OR_IRONY")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert ben.post("/moderate/comments/c-1/undo", version="3").status_code == 200
    answer = api.get("/v1/comments/c-1", role="moderator").json
    assert (answer["status"], answer["review"]["decision"]) == ("rejected", "reject")


def test_undoing_a_comment_that_does_not_exist_is_a_404_page(moderator):
    response = moderator.post("/moderate/comments/nope/undo", version="2")
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/moderate?article=a%00b", "/moderate?lang=d%00e", "/moderate?reason=A%00B"])
def test_a_nul_character_in_a_filter_is_refused_not_a_500(moderator, path):
    assert moderator.page(path).status_code in (200, 404, 422)


def test_a_nul_character_in_a_username_is_a_failed_log_in(app, make_user):
    make_user("anna")
    client = Moderator(app.test_client())
    response = client.log_in("an\x00na")
    assert response.status_code in (200, 401, 422)
    assert client.client.get("/moderate").status_code == 302


def test_overrule_reasons_are_exported_for_retraining(app, moderator, api):
    held(api)
    moderator.decide("c-1", decision="approve", version="1", overrule_reason="REPORTING")
    out = io.StringIO()
    with app.app_context():
        write_decisions(db.session(), out)
    assert '"overrule_reason": "REPORTING"' in out.getvalue()


def test_possibly_illegal_sends_the_comment_to_second_review_where_another_moderator_decides(
        app, moderator, api, log_in_as):
    held(api, "c-1")
    held(api, "c-2", "Auch dumm.")
    response = moderator.decide("c-1", decision="reject", version="1", reason_code="ILLEGAL_CONTENT")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Von anna zur Zweitprüfung gegeben" in html
    assert '<span id="held-count" class="count" hx-swap-oob="true">1 zurückgehalten</span>' in html
    (review,) = reviews(app)
    assert (review.decision, review.reason_code, review.moderator, review.statement_of_reasons) == (
        "second_review", "ILLEGAL_CONTENT", "anna", None)
    comment = api.get("/v1/comments/c-1", role="moderator").json
    assert (comment["status"], comment["review"]["decision"]) == ("held", "second_review")
    with app.app_context():
        assert write_decisions(db.session(), io.StringIO()) == 0  # undecided: nothing to retrain on
    # Out of the first review's queue, into its own, with its count in the header.
    first = moderator.page().get_data(as_text=True)
    assert 'id="card-c-1"' not in first and 'id="card-c-2"' in first
    assert re.search(r'data-queue="second_review">Zweitprüfung <span class="badge">1</span>', first)
    second = moderator.page("/moderate?queue=second_review").get_data(as_text=True)
    assert 'id="card-c-1"' in second and 'id="card-c-2"' not in second
    assert "Von anna zur Zweitprüfung gegeben" in second  # who asked for it, for the second moderator
    history = moderator.page("/moderate/comments/c-1").get_data(as_text=True)
    assert "Fassung 1: Zur Zweitprüfung gegeben · Möglicherweise rechtswidrig (Zweitprüfung), von anna" in history
    ben = log_in_as("ben", "/moderate?queue=second_review")
    assert ben.decide("c-1", decision="reject", version="2", reason_code="ABUSIVE").status_code == 200
    assert api.get("/v1/comments/c-1", role="moderator").json["status"] == "rejected"
    assert 'id="card-c-1"' not in moderator.page("/moderate?queue=second_review").get_data(as_text=True)
    assert [r.moderator for r in reviews(app)] == ["anna", "ben"]
    with app.app_context():
        assert write_decisions(db.session(), io.StringIO()) == 1
    # Ben takes his reject back: anna's mark stands again, and the comment waits in second review.
    assert ben.post("/moderate/comments/c-1/undo", version="3").status_code == 200
    assert api.get("/v1/comments/c-1", role="moderator").json["status"] == "held"
    assert 'id="card-c-1"' in moderator.page("/moderate?queue=second_review").get_data(as_text=True)


def test_a_second_review_mark_can_be_undone_like_a_decision(app, moderator, api):
    api.post_article()
    api.post_comment(id="c-fine", text="Gute Karte.")
    moderator.decide("c-fine", decision="reject", version="1", reason_code="ILLEGAL_CONTENT",
                     overrule_reason="MODEL_MISSED")
    assert api.get("/v1/comments/c-fine", role="moderator").json["status"] == "held"  # taken down
    assert moderator.post("/moderate/comments/c-fine/undo", version="2").status_code == 200
    assert api.get("/v1/comments/c-fine", role="moderator").json["status"] == "approved"
    assert 'id="card-c-fine"' not in moderator.page("/moderate?queue=second_review").get_data(as_text=True)


def test_the_picker_says_a_second_review_tells_the_author_nothing_yet(moderator, api):
    held(api)
    assert "bleibt zurückgehalten, bis eine zweite Person entscheidet" in moderator.page().get_data(as_text=True)


def test_the_spot_check_picks_the_configured_share_of_comments_by_their_id():
    samples = [spot_sample(f"c-{i}") for i in range(20_000)]
    assert samples == [spot_sample(f"c-{i}") for i in range(20_000)]  # every worker agrees
    assert 0.045 < sum(sample < 0.05 for sample in samples) / len(samples) < 0.055


def test_the_spot_check_lists_automatic_decisions_until_a_moderator_confirms_or_overrules_them(
        app, moderator, api):
    held(api, "c-held")
    api.post_comment(id="c-fine", text="Gute Karte.")
    api.post_comment(id="c-spam", text="Kauft hier: http://spam.example")
    app.config["SPOT_CHECK_SHARE"] = 1.0
    page = moderator.page("/moderate?queue=spot_check").get_data(as_text=True)
    assert 'id="card-c-fine"' in page and 'id="card-c-spam"' in page and 'id="card-c-held"' not in page
    assert re.search(r'data-queue="spot_check">Stichprobe <span class="badge">2</span>', page)
    # A share lists only the comments whose sample is below it.
    app.config["SPOT_CHECK_SHARE"] = share = (spot_sample("c-fine") + spot_sample("c-spam")) / 2
    page = moderator.page("/moderate?queue=spot_check").get_data(as_text=True)
    assert [f'id="card-{c}"' in page for c in ("c-fine", "c-spam")] == [
        spot_sample(c) < share for c in ("c-fine", "c-spam")]
    app.config["SPOT_CHECK_SHARE"] = 1.0
    # Confirming the approval needs no overrule reason; overruling the rejection asks for one.
    assert moderator.decide("c-fine", decision="approve", version="1").status_code == 200
    assert moderator.decide("c-spam", decision="approve", version="1").status_code == 422
    assert moderator.decide("c-spam", decision="approve", version="1",
                            overrule_reason="MODEL_MISSED").status_code == 200
    assert [(r.comment_id, r.decision, r.overrule_reason) for r in reviews(app)] == [
        ("c-fine", "approve", None), ("c-spam", "approve", "MODEL_MISSED")]
    page = moderator.page("/moderate?queue=spot_check").get_data(as_text=True)
    assert "card-c-" not in page
    assert re.search(r'data-queue="spot_check">Stichprobe <span class="badge">0</span>', page)


# --- queues, filters, counts -------------------------------------------------------------------


def test_the_approved_and_rejected_queues_show_their_comments(moderator, api):
    held(api, "c-held")
    api.post_comment(id="c-fine", text="Gute Karte.")
    api.post_comment(id="c-spam", text="Kauft hier: http://spam.example")
    approved = moderator.page("/moderate?queue=approved").get_data(as_text=True)
    rejected = moderator.page("/moderate?queue=rejected").get_data(as_text=True)
    assert 'id="card-c-fine"' in approved and 'id="card-c-held"' not in approved
    assert 'id="card-c-spam"' in rejected and 'id="card-c-fine"' not in rejected
    # Rejecting what the model approved contradicts it: the picker asks why, too.
    card = approved.split('id="card-c-fine"')[1].split("</article>")[0]
    assert 'data-picker="reject-picker" data-overrules' in card


def test_filters_by_article_reason_and_language(moderator, api):
    held(api, "c-dumb", "Das ist dumm.", lang="de")
    held(api, "c-weather", "Das Wetter heute.", lang="en")
    api.post_article(id="a-2", title="Anderer Artikel")
    api.post_comment(id="c-other", article_id="a-2", text="Auch dumm.")

    def shown(query: str) -> set[str]:
        return set(re.findall(r'<article class="card[^"]*" id="card-([^"]+)"', moderator.page(f"/moderate?{query}")
                              .get_data(as_text=True)))

    assert shown("") == {"c-dumb", "c-weather", "c-other"}
    assert shown("article=a-2") == {"c-other"}
    assert shown("reason=IRRELEVANT_CONTENT") == {"c-weather"}
    assert shown("lang=de") == {"c-dumb"}
    assert shown("reason=NOT_A_CODE&queue=nonsense") == {"c-dumb", "c-weather", "c-other"}  # ignored
    html = moderator.page().get_data(as_text=True)
    assert "Neue Grafikkarten im Test (2)" in html and "Anderer Artikel (1)" in html  # held per article


def test_the_polled_news_counts_comments_held_since_the_page_was_shown(moderator, api):
    held(api, "c-1")
    page = moderator.page().get_data(as_text=True)
    since = re.search(r"/moderate/news\?since=([\d.]+)", page).group(1)
    assert "neue Kommentare" not in moderator.client.get(f"/moderate/news?since={since}").get_data(as_text=True)
    held(api, "c-2", "Noch dümmer, dumm.")
    news = moderator.client.get(f"/moderate/news?since={since}").get_data(as_text=True)
    assert "1 neue Kommentare" in news and ">2 zurückgehalten</span>" in news
    assert moderator.client.get("/moderate/news?since=nonsense").status_code == 200


def test_the_single_view_shows_the_history_and_the_authors_rejections(moderator, api):
    held(api, "c-1", "Das ist dumm.", author_id="u-7")
    api.post_comment(id="c-2", text="Idiot!", author_id="u-7")  # rejected automatically
    api.post_comment(id="c-1", text="Das ist dumm, sorry.", author_id="u-7")  # an edit
    moderator.page("/moderate/comments/c-1")
    moderator.decide("c-1", decision="reject", version="2", reason_code="OTHER", note="Nachtreten")
    html = moderator.page("/moderate/comments/c-1").get_data(as_text=True)
    history = html.split('<section class="history">')[1]
    lines = re.findall(r"<li><time>[^<]+</time> ([^<]+)</li>", history)
    assert lines == [
        "Fassung 1: automatisch zurückgehalten (ABUSIVE), Modell fake-1",
        "Bearbeitet, Fassung 2: automatisch zurückgehalten (ABUSIVE), Modell fake-1",
        "Fassung 2: Abgelehnt · Anderer Grund (kurz begründen) · „Nachtreten“, von anna",
    ]
    assert "2 abgelehnt in 30 Tagen" in moderator.page("/moderate?queue=rejected").get_data(as_text=True)  # both


def test_the_article_view_shows_every_comment_in_thread_order_with_its_status(moderator, api):
    held(api, "c-root", "Das ist dumm.")
    api.post_comment(id="c-other", text="Gute Karte.")
    api.post_comment(id="c-reply", text="Nein, gar nicht dumm.", parent_id="c-root")
    api.post_comment(id="c-deeper", text="Doch.", parent_id="c-reply")
    html = moderator.page("/moderate/articles/a-1").get_data(as_text=True)
    threads = re.findall(r'<div class="thread depth-(\d)">\s*<article class="card status-(\w+)[^"]*" id="card-([^"]+)"',
                         html)
    assert threads == [("0", "held", "c-root"), ("1", "held", "c-reply"), ("2", "approved", "c-deeper"),
                       ("0", "approved", "c-other")]
    assert "Neue Grafikkarten im Test" in html and 'id="reject-picker"' in html  # moderated from here
    assert moderator.client.get("/moderate/articles/nope").status_code == 404


def test_the_on_topic_reason_says_what_the_comment_shares_with_the_article(app):
    with app.test_request_context():
        assert signal_words({"shares_no_article_words": True}) == ["teilt kein Wort mit dem Artikel"]
        assert signal_words({"shared_article_words": ["gpu", "karte"], "closest_article_sentence": "Die GPU ist "
                             "schnell.", "closest_sentence_similarity": 0.4213}) == [
            "gemeinsame Wörter mit dem Artikel: gpu, karte",
            "nächster Satz im Artikel: „Die GPU ist schnell.“ (Ähnlichkeit 0,42)"]
        assert signal_words({"marker": "dumm"}) == []


def test_word_pieces_and_a_like_approved_comment_are_named_as_what_they_are(app):
    with app.test_request_context():
        assert signal_words({"shares_no_article_words": True, "word_piece_matches": {"fusionskraft": ["usion"]},
                             "like_approved_comment": {"text": "Danke dir!", "similarity": 0.91}}) == [
            "teilt kein Wort mit dem Artikel",
            "Wortteile wie im Artikel (kein gemeinsames Wort): fusionskraft",
            "ähnelt einem freigegebenen Kommentar: „Danke dir!“ (Ähnlichkeit 0,91)"]


def test_another_moderators_selection_shows_as_a_marker_that_expires(app, moderator, api, log_in_as, monkeypatch):
    held(api, "c-1")
    ben = log_in_as("ben")
    assert ben.post("/moderate/comments/c-1/viewing").status_code == 204
    assert "Wird gerade angesehen von ben" in moderator.page().get_data(as_text=True)
    assert "Wird gerade angesehen" not in ben.page().get_data(as_text=True)  # not for oneself
    # The polled header brings it too, for the cards already on the page.
    assert '<li data-viewed="c-1">Wird gerade angesehen von ben</li>' in moderator.client.get(
        "/moderate/news").get_data(as_text=True)
    later = workspace.utcnow() + workspace.VIEWING + timedelta(seconds=1)
    monkeypatch.setattr(workspace, "utcnow", lambda: later)
    assert "Wird gerade angesehen" not in moderator.page().get_data(as_text=True)
    assert "Wird gerade angesehen" not in moderator.client.get("/moderate/news").get_data(as_text=True)


def test_single_letter_keys_can_be_switched_off_per_user(moderator):
    assert 'data-shortcuts="off"' not in moderator.page().get_data(as_text=True)
    assert moderator.post("/moderate/shortcuts", htmx=False, shortcuts="off").status_code == 303
    html = moderator.page().get_data(as_text=True)
    assert 'data-shortcuts="off"' in html and "Tastenkürzel an" in html
    moderator.post("/moderate/shortcuts", htmx=False, shortcuts="on")
    assert 'data-shortcuts="off"' not in moderator.page().get_data(as_text=True)


def test_the_instance_secret_key_is_made_once_private_and_shared_by_processes_starting_together(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: security._instance_secret_key(tmp_path), range(16)))
    path = tmp_path / security.SECRET_KEY_FILE
    assert keys == {path.read_text(encoding="ascii").strip()}
    assert len(keys.pop()) == 64
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [security.SECRET_KEY_FILE]  # no temporary left


def test_an_empty_secret_key_file_is_refused_with_a_message(tmp_path):
    (tmp_path / security.SECRET_KEY_FILE).write_text("")
    with pytest.raises(RuntimeError, match="is empty"):
        security._instance_secret_key(tmp_path)


def test_the_session_cookie_is_secure_over_https_behind_a_local_proxy(app, make_user):
    make_user("anna")
    client = app.test_client()
    token = csrf_token(client.get("/moderate/login", base_url="https://127.0.0.1"))
    response = client.post("/moderate/login", base_url="https://127.0.0.1",
                           headers={"Referer": "https://127.0.0.1/moderate/login"},  # CSRF over HTTPS
                           data={"username": "anna", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]
