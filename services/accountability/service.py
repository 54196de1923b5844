"""Use cases of the accountability service: one transaction each, writing state, audit entry and outbox
events together."""
