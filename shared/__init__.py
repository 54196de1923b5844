"""Gongkai's common library: mechanism only (settings, db, bus, outbox/inbox, events, calendar,
auth, errors, observability, clock). It never imports ``services``."""
