"""Use cases of the notifier service: one transaction each, writing state, audit entry and outbox
events together."""
