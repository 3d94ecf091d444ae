"""The workspace in a real browser: Playwright driving Debian's chromium, headless.

The app runs on SQLite with the fake model in a thread of this process; each test seeds it
through the API and drives the pages with the keyboard, as a moderator would.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from service import create_app
from service.storage import db, upgrade_database
from service.storage.models import Review
from service.storage.users import create_user
from tests.service.workspace_fixtures import PASSWORD

CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright's own download cannot work here


@dataclass
class Live:
    """The running app: its URL, and requests with API keys to seed it."""

    app: Flask
    url: str
    api: object


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live(tmp_path, model, api_for) -> Iterator[Live]:
    url = f"sqlite:///{tmp_path / 'workspace.sqlite'}"
    upgrade_database(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "MODEL": model, "SECRET_KEY": "e2e",
                      "MODEL_DIR": str(tmp_path / "models")})
    with app.app_context():
        for name in ("anna", "ben"):
            create_user(db.session(), username=name, role="moderator", password=PASSWORD)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api = api_for(app)
    api.post_article(title="Neue Grafikkarten im Test")
    yield Live(app, f"http://127.0.0.1:{server.server_port}", api)
    server.shutdown()
    thread.join()
    db.engine(app).dispose()


def hold(live: Live, comment_id: str, text: str) -> None:
    response = live.api.post_comment(id=comment_id, text=text)
    assert response.json["decision"] == "hold", response.json


def log_in(browser: Browser, live: Live, username: str = "anna", *, clock: bool = False) -> Page:
    """A logged-in page on the queue; ``clock``: the page's timers run only when the test says."""
    page = browser.new_context(locale="de-DE").new_page()
    if clock:
        page.clock.install()
    page.goto(live.url + "/moderate/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button")
    expect(page).to_have_url(live.url + "/moderate")
    page.wait_for_load_state()  # keys.js runs before "load": keys work from here on
    return page


def stored_reviews(live: Live) -> list[Review]:
    with live.app.app_context(), db.session().begin():
        return list(db.session().scalars(sa.select(Review).order_by(Review.id)))


def test_no_access_without_logging_in(browser, live):
    page = browser.new_page()
    page.goto(live.url + "/moderate")
    expect(page).to_have_url(live.url + "/moderate/login")
    page.close()


def test_a_held_comment_with_its_evidence_highlighted(browser, live):
    hold(live, "c-1", "Das ist dumm, finde ich.")
    page = log_in(browser, live)
    highlight = page.locator("#card-c-1 mark[data-rule=respectful]")
    expect(highlight).to_have_text("dumm")
    expect(highlight).to_have_attribute("title", "respektlos, Gewicht 2,50")
    expect(page.locator("#card-c-1 .reasons")).to_contain_text("Zurückgehalten: respektlos")
    expect(page.locator("#held-count")).to_have_text("1 zurückgehalten")


def test_approve_with_f_asks_the_overrule_reason_and_stores_it(browser, live):
    hold(live, "c-1", "Das ist dumm.")
    hold(live, "c-2", "Auch dumm.")
    page = log_in(browser, live)
    page.keyboard.press("f")
    expect(page.locator("#approve-picker")).to_be_visible()  # the model held it: why differ?
    page.keyboard.press("1")
    expect(page.locator("#card-c-1 .outcome")).to_contain_text("Freigegeben von anna.")
    expect(page.locator("#held-count")).to_have_text("1 zurückgehalten")
    (review,) = stored_reviews(live)
    assert (review.decision, review.moderator, review.overrule_reason) == ("approve", "anna", "QUOTE_OR_IRONY")
    expect(page.locator("#card-c-2")).to_have_class("card status-held selected")  # on to the next


def test_reject_with_d_2_enter_then_undo_with_u(browser, live):
    hold(live, "c-1", "Das ist dumm.")
    hold(live, "c-2", "Auch dumm.")
    page = log_in(browser, live)
    page.keyboard.press("d")
    picker = page.locator("#reject-picker")
    expect(picker).to_be_visible()
    page.keyboard.press("2")
    expect(picker.locator(".statement:not([hidden])")).to_contain_text("Ihr Kommentar wurde nicht veröffentlicht.")
    page.keyboard.press("Enter")
    expect(page.locator("#card-c-1 .outcome")).to_contain_text("Abgelehnt von anna: Würdigt Leser oder Autoren herab.")
    expect(page.locator("#held-count")).to_have_text("1 zurückgehalten")
    assert [(r.decision, r.reason_code) for r in stored_reviews(live)] == [("reject", "ABUSIVE")]
    expect(page.locator("#card-c-2")).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("u")  # the next card is selected, u still takes back the last decision
    expect(page.locator("#card-c-1 .notice")).to_contain_text("wieder in der Warteschlange")
    expect(page.locator("#held-count")).to_have_text("2 zurückgehalten")
    assert stored_reviews(live) == []
    page.reload()
    expect(page.locator("#card-c-1")).to_be_visible()


def test_possibly_illegal_with_d_5_goes_to_the_second_review_queue(browser, live):
    hold(live, "c-1", "Das ist dumm.")
    page = log_in(browser, live)
    page.keyboard.press("d")
    page.keyboard.press("5")
    statement = page.locator("#reject-picker .statement:not([hidden])")
    expect(statement).to_contain_text("bis eine zweite Person entscheidet")
    page.keyboard.press("Enter")
    expect(page.locator("#card-c-1 .outcome")).to_contain_text("Von anna zur Zweitprüfung gegeben")
    assert [(r.decision, r.reason_code) for r in stored_reviews(live)] == [("second_review", "ILLEGAL_CONTENT")]
    page.goto(live.url + "/moderate?queue=second_review")
    expect(page.locator("[data-queue=second_review] .badge")).to_have_text("1")
    expect(page.locator("#card-c-1")).to_be_visible()


def test_esc_cancels_the_picker_and_keys_do_not_fire_while_typing(browser, live):
    hold(live, "c-1", "Das ist dumm.")
    page = log_in(browser, live)
    page.keyboard.press("d")
    page.locator("#reject-picker input[name=note]").fill("f1d")  # typed, not keys
    page.keyboard.press("Escape")
    expect(page.locator("#reject-picker")).to_be_hidden()
    assert stored_reviews(live) == []
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    expect(page.locator("#help")).to_contain_text("Rückgängig")


def test_a_second_moderator_deciding_the_same_comment_gets_its_current_state(browser, live):
    hold(live, "c-1", "Das ist dumm.")
    anna, ben = log_in(browser, live, "anna"), log_in(browser, live, "ben")
    for page in (anna, ben):
        page.keyboard.press("d")
        page.keyboard.press("2")
    anna.keyboard.press("Enter")
    expect(anna.locator("#card-c-1 .outcome")).to_contain_text("Abgelehnt von anna")
    ben.keyboard.press("Enter")
    expect(ben.locator("#card-c-1 .notice")).to_contain_text("inzwischen geändert (abgelehnt)")
    assert [r.moderator for r in stored_reviews(live)] == ["anna"]


def test_a_post_without_the_csrf_token_is_refused(browser, live):
    hold(live, "c-1", "Das ist dumm.")
    page = log_in(browser, live)
    response = page.request.post(live.url + "/moderate/comments/c-1/decision",
                                 form={"decision": "reject", "version": "1", "reason_code": "SPAM"})
    assert response.status == 400
    assert stored_reviews(live) == []


XSS = ('<script>alert(1)</script><img src=x onerror="alert(2)"> '
       '<a href="javascript:alert(3)">x</a> &amp; \u202edumm\u202c\u200b')


def test_a_readers_markup_stays_text(browser, live):
    hold(live, "c-1", XSS)
    page = log_in(browser, live)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    text = page.locator("#card-c-1 p.text")
    expect(text).to_have_text(XSS)
    assert text.locator("script, img, a").count() == 0
    page.wait_for_timeout(200)
    assert dialogs == []


def test_the_phone_layout_shows_one_card_per_screen_with_large_buttons(browser, live):
    hold(live, "c-1", "Das ist dumm.")
    hold(live, "c-2", "Auch dumm.")
    page = log_in(browser, live)
    page.set_viewport_size({"width": 375, "height": 740})
    card = page.locator("#card-c-1").bounding_box()
    button = page.locator("#card-c-1 button.reject").bounding_box()
    assert card["height"] >= 700
    assert button["height"] >= 48 and button["width"] >= 300


def test_rejecting_what_the_model_approved_takes_a_reason_then_why(browser, live):
    live.api.post_comment(id="c-fine", text="Gute Karte, danke.")
    page = log_in(browser, live)
    page.goto(live.url + "/moderate?queue=approved")
    page.wait_for_load_state()
    for key in ("d", "4", "4", "Enter"):  # spam; the model missed it
        page.keyboard.press(key)
    expect(page.locator("#card-c-fine .outcome")).to_contain_text("Abgelehnt von anna: Spam oder Werbung.")
    (review,) = stored_reviews(live)
    assert (review.reason_code, review.overrule_reason) == ("SPAM", "MODEL_MISSED")


def test_a_reply_is_moderated_from_the_article_view(browser, live):
    live.api.post_comment(id="c-root", text="Gute Karte, danke.")
    hold(live, "c-reply", "Das ist dumm.")
    page = log_in(browser, live)
    page.goto(live.url + "/moderate/articles/a-1")
    page.wait_for_load_state()
    page.keyboard.press("j")  # from the approved root to the held reply
    for key in ("d", "3", "Enter"):
        page.keyboard.press(key)
    expect(page.locator("#card-c-reply .outcome")).to_contain_text("Abgelehnt von anna: Respektloser Ton.")
    assert [(r.comment_id, r.reason_code) for r in stored_reviews(live)] == [("c-reply", "OFFENSIVE")]


def test_keys_switched_off_do_nothing_and_selecting_a_card_marks_it_for_others(browser, live):
    hold(live, "c-1", "Das ist dumm.")
    ben = log_in(browser, live, "ben")  # ben's page selects the first card
    expect(ben.locator("#card-c-1")).to_have_class(re.compile(r"\bselected\b"))
    ben.wait_for_load_state("networkidle")  # its note to the server has arrived
    anna = log_in(browser, live, "anna")
    expect(anna.locator("#card-c-1 .viewing")).to_have_text("Wird gerade angesehen von ben")
    anna.click("text=Tastenkürzel aus")
    anna.wait_for_load_state()
    anna.keyboard.press("d")
    expect(anna.locator("#reject-picker")).to_be_hidden()
    anna.click("#card-c-1 button.reject")  # the buttons still work
    expect(anna.locator("#reject-picker")).to_be_visible()


def test_the_marker_comes_with_the_polled_header_and_goes_when_the_other_moves_on(browser, live):
    hold(live, "c-1", "Das ist dumm.")
    hold(live, "c-2", "Auch dumm.")
    anna = log_in(browser, live, "anna", clock=True)
    expect(anna.locator("#card-c-1 .viewing")).to_be_hidden()
    ben = log_in(browser, live, "ben")  # ben's page selects the first card
    ben.wait_for_load_state("networkidle")
    anna.clock.run_for(16_000)  # the header polls every 15 s
    expect(anna.locator("#card-c-1 .viewing")).to_have_text("Wird gerade angesehen von ben")
    ben.keyboard.press("j")
    ben.wait_for_load_state("networkidle")
    anna.clock.run_for(16_000)
    expect(anna.locator("#card-c-1 .viewing")).to_be_hidden()
    expect(anna.locator("#card-c-2 .viewing")).to_have_text("Wird gerade angesehen von ben")
