"""``GET /api/v1/labels`` — every code the APIs return, with its Chinese label and, where there is
one, the regulation it comes from (DESIGN §10: served by every service, from ``shared``).

Nothing here is listed by hand:

* every ``*_LABELS`` mapping of the modules of :mod:`shared.vocabulary` is a set, named after it
  (``CHANNEL_LABELS`` → ``channel``); the comment above it in the module gives the set's title and
  its source (``# 申请渠道 (条例 第二十九条, 第三十一条)``); a ``*_SOURCES`` mapping beside it gives
  each code's own source (``OUTCOME_SOURCES``); a tuple value is ``(label, group)``;
* ``problem`` is every problem ``code`` the services can answer with, found in their source: the
  HTTP statuses of :mod:`shared.errors`, and each ``DomainError``/``InvalidInput``/``ProblemError``/
  ``conflict``/``problem_response`` written with a literal code, with its title.

A vocabulary a helper appends to ``shared.vocabulary`` (or a problem a service adds) is served
without touching this module.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from shared import vocabulary
from shared.errors import STATUS_PROBLEMS

SHARED_DIR = Path(__file__).parent


class LabelOut(BaseModel):
    code: str = Field(examples=["hotline_12345"])
    label: str | None = Field(description="中文名称", examples=["12345热线"])
    source: str | None = Field(None, description="出处（法规条款），有则给出", examples=["条例 第十四条"])
    group: str | None = Field(None, description="分组（如办理结果的「不予公开」）")


class LabelSetOut(BaseModel):
    title: str | None = Field(description="这组代码的中文名称", examples=["申请渠道"])
    source: str | None = Field(description="这组代码的出处", examples=["条例 第二十九条, 第三十一条"])
    items: list[LabelOut]


class ActionLink(BaseModel):
    """A button (按钮): call ``method href`` as it is, with ``If-Match`` on the resource's ETag and the
    body the OpenAPI documents for that route."""

    action: str = Field(description="操作代码", examples=["close"])
    method: str = Field(examples=["POST"])
    href: str = Field(examples=["/api/v1/campaigns/d759a392-03fc-48a8-83ef-8fad87886752/close"])
    label: str = Field(description="按钮文字", examples=["结束评议"])


def action_links(
    actions: Iterable[object], labels: Mapping[str, str], href: Callable[[str], str | None]
) -> list[object]:
    """A resource's ``allowed_actions`` as its service's use cases give them (codes) made links, for
    the schemas' validators; a link already made is kept, an action ``href`` has no URL for (taken on
    another resource) is left out."""
    links: list[object] = []
    for action in actions:
        if not isinstance(action, str):
            links.append(action)
        elif (url := href(action)) is not None:
            links.append({"action": action, "method": "POST", "href": url, "label": labels.get(action, action)})
    return links


class LabelsOut(BaseModel):
    sets: dict[str, LabelSetOut] = Field(description="by set name: channel, outcome, application_state, problem …")


# Calls that raise or build a problem: name → (index of the code argument, index of the title).
_PROBLEM_CALLS: dict[str, tuple[int, int]] = {
    "DomainError": (0, 1),
    "InvalidInput": (0, 1),
    "conflict": (0, 1),
    "ProblemError": (1, 2),
    "problem_response": (1, 2),
    "_refuse": (3, 4),
}
_REGULATION = re.compile(r"条例|第.+条|〔\d{4}〕|办法|制度|方案|规定|号")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _set_name(attribute: str) -> str:
    return attribute.removesuffix("_LABELS").lower()


def _comment_above(lines: Sequence[str], lineno: int) -> str:
    """The contiguous ``#`` comment lines ending just above line ``lineno`` (1-based), joined."""
    found: list[str] = []
    index = lineno - 2
    while index >= 0 and lines[index].lstrip().startswith("#"):
        found.append(lines[index].strip().lstrip("#").strip())
        index -= 1
    return " ".join(reversed(found))


def _title_and_source(comment: str) -> tuple[str | None, str | None]:
    """``申请渠道 (条例 第二十九条, 第三十一条)`` → ("申请渠道", "条例 第二十九条, 第三十一条")."""
    if not comment:
        return None, None
    head = re.split(r"[:：(（]| — | - |[A-Za-z]", comment, maxsplit=1)[0].strip()
    title = head if _CJK.search(head) else None
    after_colon = re.split(r"[:：]", comment, maxsplit=1)[1:]
    lead = [re.split(r" \(|（|\. |;|；|, plus", after_colon[0], maxsplit=1)[0].strip()] if after_colon else []
    candidates = lead + [s.strip() for s in re.findall(r"[(（]([^()（）]*)[)）]", comment)]
    sources = [s for s in dict.fromkeys(candidates) if _REGULATION.search(s)]
    return title, "；".join(sources) or None


@cache
def _comments_of(module: ModuleType) -> dict[str, str]:
    """For each top-level ``X_LABELS = …`` the comment above it or, when that has no Chinese, above
    the statements just before it with no blank line between (``Channel = Literal[…]``, then
    ``CHANNEL_LABELS``)."""
    source = inspect.getsource(module)
    lines = source.splitlines()
    body = ast.parse(source).body
    comments: dict[str, str] = {}
    for index, node in enumerate(body):
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if not (isinstance(target, ast.Name) and target.id.endswith("_LABELS")):
            continue
        comment = _comment_above(lines, node.lineno)
        earlier = index - 1
        while not _CJK.search(comment) and earlier >= 0:
            between = lines[(body[earlier].end_lineno or 0) : body[earlier + 1].lineno - 1]
            if not all(line.lstrip().startswith("#") for line in between):
                break
            comment = _comment_above(lines, body[earlier].lineno) or comment
            earlier -= 1
        comments[target.id] = comment
    return comments


def vocabulary_sets() -> dict[str, dict[str, Any]]:
    """Every ``*_LABELS`` of every module of :mod:`shared.vocabulary` as a label set."""
    sets: dict[str, dict[str, Any]] = {}
    for module in vocabulary.MODULES:
        sets.update(_sets_of(module))
    return sets


def _sets_of(module: ModuleType) -> dict[str, dict[str, Any]]:
    comments = _comments_of(module)
    sets: dict[str, dict[str, Any]] = {}
    for attribute, labels in vars(module).items():
        # Only the sets this module defines (``comments`` has every top-level ``*_LABELS =``), not
        # those it imports to build on.
        if attribute not in comments or not isinstance(labels, Mapping):
            continue
        sources: Mapping[str, str] = getattr(vocabulary, attribute.removesuffix("_LABELS") + "_SOURCES", {})
        title, source = _title_and_source(comments.get(attribute, ""))
        items = []
        for code, value in labels.items():
            label, group = (value[0], value[1]) if isinstance(value, tuple) else (value, None)
            item: dict[str, Any] = {"code": code, "label": label, "source": sources.get(code)}
            if group is not None:
                item["group"] = group
            items.append(item)
        sets[_set_name(attribute)] = {"title": title, "source": source, "items": items}
    return sets


def _literal(node: ast.expr, constants: Mapping[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    return None


def _problems_in(path: Path) -> Iterable[tuple[str, str | None]]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError, OSError):
        return
    constants = {
        n.targets[0].id: n.value.value
        for n in tree.body
        if isinstance(n, ast.Assign)
        and isinstance(n.targets[0], ast.Name)
        and isinstance(n.value, ast.Constant)
        and isinstance(n.value.value, str)
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name not in _PROBLEM_CALLS:
            continue
        code_at, title_at = _PROBLEM_CALLS[name]
        if len(node.args) <= code_at:
            continue
        code = _literal(node.args[code_at], constants)
        if code is None or not re.fullmatch(r"[a-z][a-z0-9_.]*", code):
            continue
        title = _literal(node.args[title_at], constants) if len(node.args) > title_at else None
        yield code, title


@cache
def problem_codes(roots: tuple[Path, ...]) -> dict[str, str | None]:
    """Every problem code written in the Python sources under ``roots`` (migrations and tests
    aside), with its title; the HTTP statuses' codes first."""
    codes: dict[str, str | None] = {code: title for code, title in STATUS_PROBLEMS.values()}
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            if "migrations" in path.parts or "tests" in path.parts:
                continue
            for code, title in _problems_in(path):
                if codes.get(code) is None:
                    codes[code] = title
    return codes


def service_roots(package_dirs: Iterable[Path]) -> tuple[Path, ...]:
    """``shared`` and the directory holding the services (all of them: a gateway sends
    ``/labels`` to any one service, which answers for every service of the image)."""
    parents = {p.resolve().parent for p in package_dirs}
    return (SHARED_DIR, *sorted(parents))


@cache
def labels_document(roots: tuple[Path, ...]) -> dict[str, Any]:
    sets = vocabulary_sets()
    sets["problem"] = {
        "title": "错误码",
        "source": "RFC 9457 问题详情 (application/problem+json) 的 code",
        "items": [{"code": c, "label": t, "source": None} for c, t in problem_codes(roots).items()],
    }
    return {"sets": sets}


def labels_router(package_dirs: Sequence[Path]) -> APIRouter:
    """The route, for ``build_app``; ``package_dirs`` are the served services' packages."""
    router = APIRouter(tags=["front end 前端"])
    roots = service_roots(package_dirs)

    @router.get(
        "/api/v1/labels",
        response_model=LabelsOut,
        summary="代码与中文名称 / every code the APIs return, with its Chinese label",
    )
    async def labels(request: Request) -> Response:
        """Sets by name (``channel``, ``outcome``, ``application_state``, ``application_action``,
        ``role``, ``capability``, ``report_row``, ``problem`` …), each ``{title, source, items:
        [{code, label, source, group?}]}``. Cacheable: the answer changes only with a release
        (``ETag``, ``Cache-Control``)."""
        body = json.dumps(labels_document(roots), ensure_ascii=False, separators=(",", ":")).encode()
        tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers = {"ETag": tag, "Cache-Control": "public, max-age=3600"}
        if tag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="application/json", headers=headers)

    return router


__all__ = [
    "ActionLink",
    "LabelsOut",
    "action_links",
    "labels_document",
    "labels_router",
    "problem_codes",
    "vocabulary_sets",
]
