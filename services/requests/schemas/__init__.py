"""Pydantic request/response models of the requests service, one module per noun (DESIGN §1)."""
