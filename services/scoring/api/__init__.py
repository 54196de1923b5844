"""HTTP routers of the scoring service: thin, they parse, authorize and call ``service``.
Its paths: /api/v1/schemes/…, /api/v1/sheets/… (DESIGN §10)."""

from fastapi import APIRouter

from shared.errors import PROBLEM_RESPONSES

router = APIRouter(tags=["scoring"], responses=PROBLEM_RESPONSES)
