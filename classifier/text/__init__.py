"""Per request: reading a comment's text (normalisation, n-grams, quotes, spam signals)."""
