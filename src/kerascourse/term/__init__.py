"""The instructor's term around ``kerascourse grade``: intake of an LMS export against a roster
(``intake``), the per-assignment config with its late policy (``config``), and the gradebook with
overrides and Canvas's import file (``gradebook``)."""
