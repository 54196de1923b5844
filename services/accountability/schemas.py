"""Pydantic request and response models of the accountability service's API."""
