"""The documentation; :mod:`docs.examples` writes its request and response examples."""
