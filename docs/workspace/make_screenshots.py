"""Take the screenshots of docs/workspace.md: the workspace with the tests' fake model.

Run from the repository: ``python -m docs.workspace.make_screenshots`` would need a package, so
``PYTHONPATH=. python docs/workspace/make_screenshots.py``. It needs Debian's
chromium (``apt-get install -y chromium``) and the test extras; it writes the PNG files beside
itself and changes nothing else.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

from policies import load_policy
from service import create_app
from service.storage import db, upgrade_database
from service.storage.users import create_user
from tests.e2e.test_workspace_browser import CHROMIUM
from tests.service.fixtures import ApiActions, FakeModel
from tests.service.workspace_fixtures import PASSWORD

HERE = Path(__file__).parent
COMMENTS = [
    ("c-1", "Wer so etwas schreibt, ist einfach dumm. Die Karte ist zu teuer.", None),
    ("c-2", "Schönes Wetter heute, ich gehe lieber radeln.", None),
    ("c-3", "Stimmt nicht, das ist doch dumm gerechnet: 300 Watt sind 300 Watt.", "c-1"),
]


def main() -> None:
    """Seed a database, serve the app in a thread, and photograph six views."""
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'screenshots.sqlite'}"
    upgrade_database(url)
    app = create_app({"DATABASE_URL": url, "MODEL": FakeModel(load_policy()), "SECRET_KEY": "screenshots",
                      "MODEL_DIR": str(folder / "models")})
    with app.app_context():
        create_user(db.session(), username="anna", role="moderator", password=PASSWORD)
    api = ApiActions(app, app.test_client())
    api.post_article(title="Neue Grafikkarten im Test: schnell, aber durstig",
                     body="Die neuen Karten sind in unseren Tests die schnellsten, brauchen aber bis zu 450 Watt.")
    for comment_id, text, parent in COMMENTS:
        api.post_comment(id=comment_id, text=text, author_id="leser-42", parent_id=parent)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            page = browser.new_context(locale="de-DE", viewport={"width": 1100, "height": 900}).new_page()
            _log_in(page, f"http://127.0.0.1:{server.server_port}")
            page.screenshot(path=HERE / "queue.png", full_page=True)
            page.locator("#card-c-1").screenshot(path=HERE / "card.png")
            page.keyboard.press("d")
            page.keyboard.press("2")
            page.screenshot(path=HERE / "reason-picker.png")
            page.keyboard.press("Escape")
            page.goto(f"http://127.0.0.1:{server.server_port}/moderate/articles/a-1")
            page.screenshot(path=HERE / "article.png", full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=HERE / "phone.png")
            page.set_viewport_size({"width": 1100, "height": 900})
            _second_review(page, f"http://127.0.0.1:{server.server_port}")
            browser.close()
    finally:
        server.shutdown()
        db.engine(app).dispose()


def _second_review(page: Page, base: str) -> None:
    """Mark the first held comment as possibly illegal, then photograph the second-review queue."""
    page.goto(base + "/moderate")
    page.wait_for_load_state()
    for key in ("d", "5", "Enter"):
        page.keyboard.press(key)
    page.locator("article.card .outcome").first.wait_for()
    page.goto(base + "/moderate?queue=second_review")
    page.screenshot(path=HERE / "second-review.png", full_page=True)


def _log_in(page: Page, base: str) -> None:
    page.goto(base + "/moderate/login")
    page.fill("input[name=username]", "anna")
    page.fill("input[name=password]", PASSWORD)
    page.click("button")
    page.wait_for_url(base + "/moderate")
    page.wait_for_load_state()


if __name__ == "__main__":
    main()
