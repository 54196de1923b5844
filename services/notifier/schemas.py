"""Pydantic request and response models of the notifier service's API."""
