"""The scoring core: trained scikit-learn models that score a comment against the site's rules.

Nothing here knows about HTTP. The service uses :func:`classifier.serving.bundle.load_model` and
:class:`classifier.types.CommentInput` / :class:`classifier.types.CommentScores`; the CLI in
:mod:`classifier.cli` trains, evaluates, scores and benchmarks.
"""
