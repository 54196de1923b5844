"""Pydantic request and response models of the appraisal service's API."""
