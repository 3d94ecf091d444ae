"""The workspace's keyboard shortcuts: one map, rendered into bindings, hints and help.

Coral Talk's keys (``client/src/core/client/admin/constants.ts``) so that Coral moderators keep
their habits, plus undo. The templates render each entry into the ``data-hotkey`` attribute of
the button that does the action, the ``<kbd>`` hint on it and a line of the ``?`` dialog;
``keys.js`` only clicks the button whose ``data-hotkey`` matches, so binding, hint and help
cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shortcut:
    """One action and the keys that do it (in keys.js's notation: ``ctrl+z``, ``?``)."""

    action: str  # also the text key "action.<action>"
    keys: tuple[str, ...]

    @property
    def hotkey(self) -> str:
        """The value of the ``data-hotkey`` attribute: the keys, space-separated."""
        return " ".join(self.keys)


SHORTCUTS = (
    Shortcut("next", ("j",)),
    Shortcut("previous", ("k",)),
    Shortcut("approve", ("f",)),
    Shortcut("reject", ("d",)),
    Shortcut("single", ("z",)),
    Shortcut("undo", ("u", "ctrl+z")),
    Shortcut("help", ("?",)),
)
BY_ACTION = {shortcut.action: shortcut for shortcut in SHORTCUTS}

#: Keys inside an open reason picker; listed in the help, handled by keys.js's picker.
PICKER_KEYS = (("1-9", "action.pick"), ("Enter", "action.confirm"), ("Esc", "action.cancel"))
