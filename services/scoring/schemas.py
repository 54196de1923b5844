"""Pydantic request and response models of the scoring service's API."""
