"""Use cases of disclosure applications (依申请公开, DESIGN §5), one module per concern:

- ``view``          the row as read once (:class:`Application`), its API view, its audit state
- ``access``        who may read and act (DESIGN §10); loading a readable row (404 without a hint)
- ``reads``         one application, a page, the due date explained, the timeline, tracking
- ``create``        recording an application (the benchmarked write path)
- ``steps``         how every action runs: one locked read, one UPDATE, events, one audit entry
- ``actions``       the workflow actions: receipt, correction, fees, 保密审查, reply, lapse …
- ``consultations`` 征求意见 (条例 第三十二条、第三十四条): pauses of the clock
- ``reviews``       行政复议、行政诉讼 records

Every use case is ``async def name(session, ctx, ...)``: the caller (the router's session
dependency, an inbox handler, a sweep) owns the transaction. Below, what other nouns call.
"""

from services.requests.service.applications.access import load_application, load_readable
from services.requests.service.applications.actions import lapse
from services.requests.service.applications.create import create_application
from services.requests.service.applications.view import ID_CONTEXT

__all__ = ["ID_CONTEXT", "create_application", "lapse", "load_application", "load_readable"]
