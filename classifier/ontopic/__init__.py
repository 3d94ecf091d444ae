"""Per request: is a comment about its article? Lexical features and the semantic second stage."""
