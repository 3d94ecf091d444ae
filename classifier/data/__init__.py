"""Offline: the public corpora, the team's own data and moderators' decisions as training data."""
