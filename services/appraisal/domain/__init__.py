"""Pure rules of the appraisal service: no I/O, no clock reads — the part to unit-test hardest."""
