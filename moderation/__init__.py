"""The ``moderation`` command: the one place where classifier, policies and service meet."""
