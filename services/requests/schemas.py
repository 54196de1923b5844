"""Pydantic request and response models of the requests service's API."""
