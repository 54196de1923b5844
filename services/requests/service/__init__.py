"""Use cases of the requests service, one module per noun (DESIGN §1)."""
