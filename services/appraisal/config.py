"""Settings and resources of the appraisal service alone (prefix ``GONGKAI_APPRAISAL_``), beside the shared
ones. It has none of its own yet: when it does, declare a ``AppraisalSettings`` (pydantic-settings) and a
frozen ``AppraisalResources`` dataclass built by ``build_resources(settings)``, name the builder in
``SPEC.resources``, and make ``Ctx`` ``ServiceRuntime[AppraisalResources]`` (see services/requests/config.py)."""

from __future__ import annotations

from shared.runtime import ServiceRuntime

# What every use case of the service takes as ``ctx`` (with the caller's ``session``).
Ctx = ServiceRuntime[None]
