"""The vocabularies every layer shares (DESIGN §1): each value set defined once, with its Chinese
label, and imported by the schemas, the event catalogue and the domain rules alike.

Pure (no I/O): ``domain/`` may import it. The ``Literal`` types are what pydantic validates; the
``*_LABELS`` mappings, in the order the forms use, are what people read.

The sets live in one module per area (``core``: the applications and the shared mechanism; then
``accountability``, ``scoring``, ``appraisal``, ``notifier``, ``frontend``); this package re-exports
every one, so ``from shared.vocabulary import Channel`` is the way to import them, and ``MODULES``
lists the modules (``GET /api/v1/labels`` reads each set's title from the comment above it there).
"""

from __future__ import annotations

from shared.vocabulary import accountability, appraisal, core, frontend, notifier, scoring
from shared.vocabulary.accountability import *  # noqa: F403
from shared.vocabulary.appraisal import *  # noqa: F403
from shared.vocabulary.core import *  # noqa: F403
from shared.vocabulary.frontend import *  # noqa: F403
from shared.vocabulary.notifier import *  # noqa: F403
from shared.vocabulary.scoring import *  # noqa: F403

MODULES = (core, accountability, scoring, appraisal, notifier, frontend)
