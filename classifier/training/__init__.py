"""Offline: training, evaluation, metrics and benchmarks of the moderation model."""
