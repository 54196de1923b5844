"""Pure rules of the scoring service: no I/O, no clock reads — the part to unit-test hardest."""
