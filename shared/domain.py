"""What every service's ``domain/`` may import from shared: the exceptions its rules raise.

Pure (no FastAPI, no SQLAlchemy): the API layer turns them into problems (``shared.errors``), by
their class, never by the spelling of their code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar


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


S = TypeVar("S", bound=str)


def allowed_actions_in(transitions: Mapping[tuple[S, str], S], state: str) -> list[str]:
    """The actions a transition table ``{(state, action): next state}`` allows in ``state``, in the
    table's order."""
    return [action for (from_state, action) in transitions if from_state == state]


def next_state(transitions: Mapping[tuple[S, str], S], state: S, action: str) -> S:
    """The state ``action`` leads to from ``state``, or a 409 ``illegal_transition`` naming the actions
    the state allows (``allowed_actions``, for a client's buttons)."""
    target = transitions.get((state, action))
    if target is None:
        allowed = allowed_actions_in(transitions, state)
        raise DomainError(
            "illegal_transition",
            "当前状态不允许该操作",
            f"状态 {state} 不允许操作 {action}；允许的操作：{'、'.join(allowed) or '无'}",
            current_state=state,
            action=action,
            allowed_actions=allowed,
        )
    return target
