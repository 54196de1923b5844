"""Settings and resources of the scoring service alone (prefix ``GONGKAI_SCORING_``), beside the shared
ones. It has none of its own yet: when it does, declare a ``ScoringSettings`` (pydantic-settings) and a
frozen ``ScoringResources`` dataclass built by ``build_resources(settings)``, name the builder in
``SPEC.resources``, and make ``Ctx`` ``ServiceRuntime[ScoringResources]`` (see services/requests/config.py)."""

from __future__ import annotations

from shared.runtime import ServiceRuntime

# What every use case of the service takes as ``ctx`` (with the caller's ``session``).
Ctx = ServiceRuntime[None]
