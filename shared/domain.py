"""What every service's ``domain/`` may import from shared: the exceptions its rules raise.

Pure (no FastAPI, no SQLAlchemy): the API layer turns them into problems (``shared.errors``), by
their class, never by the spelling of their code.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """A business rule was broken (违反业务规则): the request conflicts with the state (409).

    ``code`` is stable snake_case and is the contract; ``title`` is Chinese for people;
    ``detail`` says what exactly was wrong; ``extensions`` carry machine-readable context
    (e.g. ``allowed_actions``) that the problem response passes on as extra members.
    """

    status: ClassVar[int] = 409

    def __init__(self, code: str, title: str, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(f"{code}: {title}" + (f" — {detail}" if detail else ""))
        self.code = code
        self.title = title
        self.detail = detail
        self.extensions = extensions


class InvalidInput(DomainError):
    """Input that no state could accept (输入不符合规则): a 422."""

    status: ClassVar[int] = 422
