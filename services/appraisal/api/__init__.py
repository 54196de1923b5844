"""HTTP routers of the appraisal service: thin, they parse, authorize and call ``service``.
Its paths: /api/v1/campaigns/… (DESIGN §10)."""

from fastapi import APIRouter

from shared.errors import PROBLEM_RESPONSES

router = APIRouter(tags=["appraisal"], responses=PROBLEM_RESPONSES)
