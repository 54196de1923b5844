"""ETags and ``If-Match`` (DESIGN §10): a resource's ETag is its version; a change sent with a stale
one is a 412, so a screen read before someone else's change cannot overwrite it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header

from shared.errors import ProblemError

# The OpenAPI of a header declared optional in Python (so that its absence is our 428, not a 422)
# but required by the route: build_app marks such parameters ``required: true`` (issue 8).
REQUIRED_IN_OPENAPI = "x-gongkai-required"

RequiredIfMatch = Annotated[
    str | None,
    Header(
        description="读取资源时得到的 ETag；缺少时 428 / the resource's ETag as read; required (428 without it)",
        json_schema_extra={REQUIRED_IN_OPENAPI: True},
    ),
]
"""``If-Match`` of a workflow transition: required (``check_if_match(..., required=True)``)."""


def mark_required_parameters(openapi: dict[str, Any]) -> dict[str, Any]:
    """Every parameter whose schema carries :data:`REQUIRED_IN_OPENAPI` becomes ``required``."""
    for path_item in openapi.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if schema.pop(REQUIRED_IN_OPENAPI, False):
                    parameter["required"] = True
                    # Present means a string: drop the "or null" of the Python-optional declaration.
                    if "anyOf" in schema:
                        strings = [s for s in schema.pop("anyOf") if s.get("type") != "null"]
                        schema.update(strings[0] if len(strings) == 1 else {"anyOf": strings})
    return openapi


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int | None, *, required: bool = False) -> None:
    """RFC 9110 §13.1.1. ``required``: a missing header is a 428 (workflow transitions); otherwise
    it is allowed (create-or-replace PUTs). ``version`` None: the resource does not exist yet."""
    if if_match is None:
        if required:
            raise ProblemError(428, "precondition_required", "缺少 If-Match 请求头", "请带上读取资源时得到的 ETag")
        return
    if version is None:
        raise _stale("资源尚不存在，不能带 If-Match 请求；新建时请去掉 If-Match")
    tags = {t.strip().removeprefix("W/").strip('"') for t in if_match.split(",")}
    if "*" not in tags and str(version) not in tags:
        raise _stale(f"资源当前版本为 {etag(version)}，请重新读取后再修改")


def _stale(detail: str) -> ProblemError:
    return ProblemError(412, "precondition_failed", "资源已被修改（If-Match 不符）", detail)
