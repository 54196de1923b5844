"""HTTP routers of the accountability service: thin, they parse, authorize and call ``service``.
Its paths: /api/v1/cases/… (DESIGN §10)."""

from fastapi import APIRouter

from shared.errors import PROBLEM_RESPONSES

router = APIRouter(tags=["accountability"], responses=PROBLEM_RESPONSES)
