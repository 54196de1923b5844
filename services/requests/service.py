"""Use cases of the requests service: one transaction each, writing state, audit entry and outbox
events together."""
