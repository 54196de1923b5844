"""HTTP routers of the scoring service: thin, they parse, authorize, take the request's transaction
(``shared.runtime.session_dependency``) and call one use case in ``service/``. One module per noun
(``api/<noun>.py`` with its ``router``), listed in ``ROUTERS``.
Its paths: /api/v1/schemes/…, /api/v1/sheets/… (DESIGN §10)."""

from fastapi import APIRouter

from services.scoring.api import schemes, sheets

ROUTERS: list[APIRouter] = [schemes.router, sheets.router]
