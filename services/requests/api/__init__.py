"""HTTP routers of the requests service: thin, they parse, authorize and call ``service``.
Its paths: /api/v1/requests/…, /api/v1/units/…, /api/v1/calendar/…, /api/v1/reports/…, /api/v1/integrations/…, /api/v1/hotline/… (DESIGN §10)."""

from fastapi import APIRouter

from shared.errors import PROBLEM_RESPONSES

router = APIRouter(tags=["requests"], responses=PROBLEM_RESPONSES)
