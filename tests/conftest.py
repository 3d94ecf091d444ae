"""Each layer's fixtures live with its tests (``tests/<layer>/fixtures.py``); the ``conftest.py``
of each layer loads the ones its tests use, so a layer's tests see no other layer's fixtures."""
