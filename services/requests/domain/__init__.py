"""Pure rules of the requests service: no I/O, no clock reads — the part to unit-test hardest."""
