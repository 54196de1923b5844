"""Pydantic request/response models of the appraisal service's API, one module per noun (DESIGN §1):
``schemas/<noun>.py`` beside ``api/<noun>.py`` and ``service/<noun>.py``."""
