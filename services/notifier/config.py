"""Settings and resources of the notifier service alone (prefix ``GONGKAI_NOTIFIER_``), beside the shared
ones. It has none of its own yet: when it does, declare a ``NotifierSettings`` (pydantic-settings) and a
frozen ``NotifierResources`` dataclass built by ``build_resources(settings)``, name the builder in
``SPEC.resources``, and make ``Ctx`` ``ServiceRuntime[NotifierResources]`` (see services/requests/config.py)."""

from __future__ import annotations

from shared.runtime import ServiceRuntime

# What every use case of the service takes as ``ctx`` (with the caller's ``session``).
Ctx = ServiceRuntime[None]
