"""Pure rules of the notifier service: no I/O, no clock reads — the part to unit-test hardest."""
