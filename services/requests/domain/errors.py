"""The one exception every rule of the requests domain raises when it is violated."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule violation (违反业务规则), turned by the API layer into a 409 or 422 problem.

    ``code`` is stable snake_case and is the contract; ``title`` is Chinese for people;
    ``detail`` says what exactly was wrong; ``extensions`` carry machine-readable context
    (e.g. ``allowed_actions``) that the problem response passes on as extra members.
    """

    def __init__(self, code: str, title: str, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(f"{code}: {title}" + (f" — {detail}" if detail else ""))
        self.code = code
        self.title = title
        self.detail = detail
        self.extensions = extensions
