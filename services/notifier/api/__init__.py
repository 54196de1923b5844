"""HTTP routers of the notifier service: thin, they parse, authorize, take the request's transaction
(``shared.runtime.session_dependency``) and call one use case in ``service/``. One module per noun
(``api/<noun>.py`` with its ``router``), listed in ``ROUTERS``.
Its paths: /api/v1/notifications/…, /api/v1/inbox/…, /api/v1/webhooks/…, /api/v1/subscriptions/…
(DESIGN §10) and /api/v1/admin/notifier/…."""

from fastapi import APIRouter

from services.notifier.api import admin, inbox, notifications, subscriptions, webhooks

ROUTERS: list[APIRouter] = [
    notifications.router,
    inbox.router,
    webhooks.router,
    subscriptions.router,
    admin.router,
]
