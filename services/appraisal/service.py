"""Use cases of the appraisal service: one transaction each, writing state, audit entry and outbox
events together."""
