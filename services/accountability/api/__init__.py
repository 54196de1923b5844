"""HTTP routers of the accountability service: thin, they parse, authorize, take the request's transaction
(``shared.runtime.session_dependency``) and call one use case in ``service/``. One module per noun
(``api/<noun>.py`` with its ``router``), listed in ``ROUTERS``.
Its paths: /api/v1/cases/…, /api/v1/rectification-orders/…, /api/v1/appeals/… (DESIGN §10) and
/api/v1/admin/accountability/…"""

from fastapi import APIRouter

from services.accountability.api import admin, appeals, cases, documents, orders

# ``documents`` first: its fixed paths (/cases/report/{year}, /cases/units/…) before /cases/{id}/{action}.
ROUTERS: list[APIRouter] = [documents.router, cases.router, orders.router, appeals.router, admin.router]
