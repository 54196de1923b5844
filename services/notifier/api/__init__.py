"""HTTP routers of the notifier service: thin, they parse, authorize and call ``service``.
Its paths: /api/v1/notifications/…, /api/v1/inbox/…, /api/v1/webhooks/… (DESIGN §10)."""

from fastapi import APIRouter

from shared.errors import PROBLEM_RESPONSES

router = APIRouter(tags=["notifier"], responses=PROBLEM_RESPONSES)
