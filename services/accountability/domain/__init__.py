"""Pure rules of the accountability service: no I/O, no clock reads — the part to unit-test hardest."""
