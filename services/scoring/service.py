"""Use cases of the scoring service: one transaction each, writing state, audit entry and outbox
events together."""
