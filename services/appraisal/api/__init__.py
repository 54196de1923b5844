"""HTTP routers of the appraisal service: thin, they parse, authorize, take the request's transaction
(``shared.runtime.session_dependency``) and call one use case in ``service/``. One module per noun
(``api/<noun>.py`` with its ``router``), listed in ``ROUTERS``.
Its paths: /api/v1/campaigns/… and the public page /appraisal/… (DESIGN §10)."""

from fastapi import APIRouter

from services.appraisal.api import campaigns, page, responses, results

# responses first: routes are tried in order, and the public intake is by far the busiest path;
# results before campaigns: /{id}/results.xlsx must not be read as a unit code.
ROUTERS: list[APIRouter] = [responses.router, results.router, campaigns.router, page.router]
