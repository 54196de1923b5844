"""HTTP routers of the appraisal service: thin, they parse, authorize, take the request's transaction
(``shared.runtime.session_dependency``) and call one use case in ``service/``. One module per noun
(``api/<noun>.py`` with its ``router``), listed in ``ROUTERS``.
Its paths: /api/v1/campaigns/… (DESIGN §10)."""

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []
