"""Every string of the workspace, German first, in one catalogue per language.

A dict per language rather than Flask-Babel: two languages and about a hundred strings, edited by
the same people who edit the code, need no .po/.mo build step; a test checks that both languages
have the same keys and the same ``{placeholders}``, which is what gettext tooling would add here.
"""

from __future__ import annotations

from datetime import timedelta

from flask import g, request

from policies.policy import LANGUAGES

DEFAULT_LANGUAGE = "de"

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "title": "Moderation",
        "login.title": "Anmelden",
        "login.username": "Benutzername",
        "login.password": "Passwort",
        "login.submit": "Anmelden",
        "login.failed": "Benutzername oder Passwort falsch.",
        "login.throttled": "Zu viele Fehlversuche. Bitte nach {time} Uhr (UTC) erneut versuchen.",
        "logout": "Abmelden",
        "logged_in_as": "Angemeldet als {name}",
        "language": "English",
        "csrf": "Die Sitzung ist abgelaufen oder das Formular veraltet. Bitte die Seite neu laden.",
        "error.network": "Keine Antwort vom Server. Bitte die Seite neu laden.",
        "queue.held": "Zurückgehalten",
        "queue.second_review": "Zweitprüfung",
        "queue.spot_check": "Stichprobe",
        "queue.approved": "Freigegeben",
        "queue.rejected": "Abgelehnt",
        "queues": "Warteschlangen",
        "news": "{count} neue Kommentare – neu laden",
        "filter.order": "Reihenfolge",
        "filter.reason": "Grund",
        "filter.lang": "Sprache",
        "filter.all": "alle",
        "filter.apply": "Filtern",
        "queue.count": "{count} zurückgehalten",
        "queue.oldest": "ältester wartet {wait}",
        "queue.empty": "Keine Kommentare in dieser Warteschlange.",
        "queue.order.oldest": "Älteste zuerst",
        "queue.order.urgent": "Dringendste zuerst",
        "card.waiting": "wartet {wait}",
        "card.author": "Autor {author}",
        "card.author_unknown": "Autor unbekannt",
        "card.status": "Status: {status}",
        "card.viewing": "Wird gerade angesehen von {names}",
        "shortcuts.off": "Tastenkürzel aus",
        "shortcuts.on": "Tastenkürzel an",
        "signal.no_shared_words": "teilt kein Wort mit dem Artikel",
        "signal.shared_words": "gemeinsame Wörter mit dem Artikel: {words}",
        "signal.closest_sentence": "nächster Satz im Artikel: „{sentence}“ (Ähnlichkeit {similarity})",
        "signal.word_pieces": "Wortteile wie im Artikel (kein gemeinsames Wort): {words}",
        "signal.like_approved": "ähnelt einem freigegebenen Kommentar: „{comment}“ (Ähnlichkeit {similarity})",
        "article.empty": "Zu diesem Artikel gibt es keine Kommentare.",
        "card.author_rejected": "{count} abgelehnt in 30 Tagen",
        "history.title": "Verlauf (UTC)",
        "history.revision": "Fassung {number}: automatisch {decision} ({reasons}), Modell {model}",
        "history.edit": "Bearbeitet, Fassung {number}: automatisch {decision} ({reasons}), Modell {model}",
        "history.review": "Fassung {number}: {what}, von {name}",
        "card.article": "Artikel",
        "card.reply_to": "Antwort auf",
        "card.parent_unknown": "(Elternkommentar unbekannt)",
        "card.versions": "Modell {model} · Richtlinie {policy}",
        "card.weight": "{rule}, Gewicht {weight}",
        "legend": "Markierungen",
        "decision.hold": "Zurückgehalten",
        "decision.reject": "Abgelehnt",
        "decision.approve": "Freigegeben",
        "decision.second_review": "Zur Zweitprüfung gegeben",
        "rule.respectful": "respektlos",
        "rule.on_topic": "kein Bezug zum Artikel",
        "rule.spam": "Spam oder Werbung",
        "rule.system": "nicht automatisch bewertet",
        "action.next": "Nächster",
        "action.previous": "Vorheriger",
        "action.approve": "Freigeben",
        "action.reject": "Ablehnen",
        "action.single": "Einzelansicht",
        "action.undo": "Rückgängig",
        "action.help": "Tastenkürzel",
        "action.close": "Schließen",
        "action.confirm": "Bestätigen",
        "action.cancel": "Abbrechen",
        "action.pick": "Grund wählen",
        "help.title": "Tastenkürzel",
        "help.note": "Die Tasten wirken auf den ausgewählten Kommentar, nie in Textfeldern.",
        "picker.reject": "Warum ablehnen?",
        "picker.overrule": "Warum anders als das Modell?",
        "picker.note": "Kurze Begründung",
        "picker.statement": "Das erhält der Verfasser:",
        "overrule.QUOTE_OR_IRONY": "Zitat oder Ironie",
        "overrule.REPORTING": "Berichtet über das Thema",
        "overrule.WRONGLY_OFF_TOPIC": "Zu Unrecht als themenfremd eingestuft",
        "overrule.MODEL_MISSED": "Vom Modell übersehen",
        "overrule.OTHER": "Anderer Grund",
        "decided.approve": "Freigegeben von {name}.",
        "decided.reject": "Abgelehnt von {name}: {reason}.",
        "decided.second_review": "Von {name} zur Zweitprüfung gegeben: bleibt zurückgehalten.",
        "picker.second_review": "Noch nichts: der Kommentar bleibt zurückgehalten, bis eine zweite Person entscheidet.",
        "decided.undo_until": "Rückgängig bis {time} Uhr (UTC).",
        "undone": "Entscheidung zurückgenommen; der Kommentar ist wieder in der Warteschlange.",
        "undo.too_late": "Zu spät zum Rückgängigmachen: die Entscheidung ist schon veröffentlicht.",
        "conflict": "Der Kommentar wurde inzwischen geändert ({status}). Bitte erneut prüfen.",
        "not_found": "Diesen Kommentar gibt es nicht.",
        "invalid": "Diese Entscheidung ist unvollständig: {problem}",
        "invalid.reason": "bitte einen Grund wählen",
        "invalid.note": "bitte kurz begründen",
        "invalid.overrule": "bitte sagen, warum anders als das Modell",
        "status.held": "zurückgehalten",
        "status.approved": "freigegeben",
        "status.rejected": "abgelehnt",
        "back": "Zur Warteschlange",
        "duration.minutes": "{minutes} Min.",
        "duration.hours": "{hours} Std. {minutes} Min.",
        "duration.days": "{days} Tg. {hours} Std.",
    },
    "en": {
        "title": "Moderation",
        "login.title": "Log in",
        "login.username": "Username",
        "login.password": "Password",
        "login.submit": "Log in",
        "login.failed": "Wrong username or password.",
        "login.throttled": "Too many failed attempts. Please try again after {time} (UTC).",
        "logout": "Log out",
        "logged_in_as": "Logged in as {name}",
        "language": "Deutsch",
        "csrf": "The session has expired or the form is out of date. Please reload the page.",
        "error.network": "No answer from the server. Please reload the page.",
        "queue.held": "Held",
        "queue.second_review": "Second review",
        "queue.spot_check": "Spot check",
        "queue.approved": "Approved",
        "queue.rejected": "Rejected",
        "queues": "Queues",
        "news": "{count} new comments – reload",
        "filter.order": "Order",
        "filter.reason": "Reason",
        "filter.lang": "Language",
        "filter.all": "all",
        "filter.apply": "Filter",
        "queue.count": "{count} held",
        "queue.oldest": "oldest waits {wait}",
        "queue.empty": "No comments in this queue.",
        "queue.order.oldest": "Oldest first",
        "queue.order.urgent": "Most urgent first",
        "card.waiting": "waiting {wait}",
        "card.author": "Author {author}",
        "card.author_unknown": "Author unknown",
        "card.status": "Status: {status}",
        "card.viewing": "Being viewed by {names}",
        "shortcuts.off": "Shortcuts off",
        "shortcuts.on": "Shortcuts on",
        "signal.no_shared_words": "shares no word with the article",
        "signal.shared_words": "words shared with the article: {words}",
        "signal.closest_sentence": "closest article sentence: “{sentence}” (similarity {similarity})",
        "signal.word_pieces": "word pieces as in the article (no shared word): {words}",
        "signal.like_approved": "like an approved comment: “{comment}” (similarity {similarity})",
        "article.empty": "This article has no comments.",
        "card.author_rejected": "{count} rejected in 30 days",
        "history.title": "History (UTC)",
        "history.revision": "Revision {number}: automatically {decision} ({reasons}), model {model}",
        "history.edit": "Edited, revision {number}: automatically {decision} ({reasons}), model {model}",
        "history.review": "Revision {number}: {what}, by {name}",
        "card.article": "Article",
        "card.reply_to": "Reply to",
        "card.parent_unknown": "(parent comment unknown)",
        "card.versions": "Model {model} · policy {policy}",
        "card.weight": "{rule}, weight {weight}",
        "legend": "Highlights",
        "decision.hold": "Held",
        "decision.reject": "Rejected",
        "decision.approve": "Approved",
        "decision.second_review": "Sent to second review",
        "rule.respectful": "disrespectful",
        "rule.on_topic": "unrelated to the article",
        "rule.spam": "spam or advertising",
        "rule.system": "not assessed automatically",
        "action.next": "Next",
        "action.previous": "Previous",
        "action.approve": "Approve",
        "action.reject": "Reject",
        "action.single": "Single view",
        "action.undo": "Undo",
        "action.help": "Keyboard shortcuts",
        "action.close": "Close",
        "action.confirm": "Confirm",
        "action.cancel": "Cancel",
        "action.pick": "Choose a reason",
        "help.title": "Keyboard shortcuts",
        "help.note": "The keys act on the selected comment, never in text fields.",
        "picker.reject": "Why reject?",
        "picker.overrule": "Why differ from the model?",
        "picker.note": "Short reason",
        "picker.statement": "The author will get:",
        "overrule.QUOTE_OR_IRONY": "Quote or irony",
        "overrule.REPORTING": "Reports on the topic",
        "overrule.WRONGLY_OFF_TOPIC": "Wrongly taken as off topic",
        "overrule.MODEL_MISSED": "The model missed it",
        "overrule.OTHER": "Other reason",
        "decided.approve": "Approved by {name}.",
        "decided.reject": "Rejected by {name}: {reason}.",
        "decided.second_review": "Sent to second review by {name}: stays held.",
        "picker.second_review": "Nothing yet: the comment stays held until a second person decides.",
        "decided.undo_until": "Can be undone until {time} (UTC).",
        "undone": "Decision undone; the comment is back in the queue.",
        "undo.too_late": "Too late to undo: the decision has been released.",
        "conflict": "The comment changed meanwhile ({status}). Please check it again.",
        "not_found": "There is no such comment.",
        "invalid": "This decision is incomplete: {problem}",
        "invalid.reason": "please choose a reason",
        "invalid.note": "please give a short reason",
        "invalid.overrule": "please say why you differ from the model",
        "status.held": "held",
        "status.approved": "approved",
        "status.rejected": "rejected",
        "back": "Back to the queue",
        "duration.minutes": "{minutes} min",
        "duration.hours": "{hours} h {minutes} min",
        "duration.days": "{days} d {hours} h",
    },
}


def choose_language(preferred: str | None) -> str:
    """The user's own choice if any, else the browser's best match, else German."""
    if preferred in LANGUAGES:
        return preferred
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


def language() -> str:
    """The language of the current request (set by the workspace's before_request)."""
    return g.get("language", DEFAULT_LANGUAGE)


def text(key: str, **values: object) -> str:
    """The string ``key`` in the request's language, with ``values`` filled in."""
    return TEXTS[language()][key].format(**values)


def number(value: float) -> str:
    """A score with two decimals, with the language's decimal mark (0,81 in German)."""
    shown = f"{value:.2f}"
    return shown.replace(".", ",") if language() == "de" else shown


def duration(span: timedelta) -> str:
    """A waiting time in the largest units that say it, e.g. "3 Std. 5 Min."."""
    minutes = max(0, int(span.total_seconds() // 60))
    hours, minutes_left = divmod(minutes, 60)
    days, hours_left = divmod(hours, 24)
    if days:
        return text("duration.days", days=days, hours=hours_left)
    if hours:
        return text("duration.hours", hours=hours, minutes=minutes_left)
    return text("duration.minutes", minutes=minutes)
