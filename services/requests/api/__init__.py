"""HTTP routers of the requests service: thin, they parse, authorize and call the use cases.
Its paths: /api/v1/requests/…, /api/v1/units/…, /api/v1/calendar/…, /api/v1/reports/…,
/api/v1/integrations/…, /api/v1/hotline/… (DESIGN §10)."""

from services.requests.api import (
    admin,
    applications,
    attachments,
    calendar,
    integrations,
    reports,
    review_records,
    units,
)

ROUTERS = [
    applications.router,
    review_records.router,
    attachments.router,
    units.router,
    calendar.router,
    reports.router,
    integrations.router,
    admin.router,
]
