"""What the scoring use cases share: loading schemes and sheets a caller may see, the parsed scheme
(cached per version), rows → domain entries, and who may do what (DESIGN §10; issue 12 §5)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.scoring.domain.scheme import Scheme
from services.scoring.domain.scheme_format import load_scheme
from services.scoring.domain.scoring import Entry
from services.scoring.models import schemes, sheet_entries, sheets
from shared.auth import Principal
from shared.errors import ProblemError, forbidden, not_found

# Who writes schemes and the assessors' figures (issue 12 §5: "assessors and the office write");
# admin for the operator's CLI import. Publishing, closing and finalizing need the office.
SCHEME_WRITERS = ("office", "assessor", "admin")
ASSESSOR_ROLES = ("assessor", "office")
OFFICE = ("office",)


def num(value: str | Decimal | None) -> float | None:
    return None if value is None else float(Decimal(value))


def dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


@dataclass(frozen=True)
class SchemeRow:
    id: str
    year: int
    name: str
    period_start: date
    period_end: date
    state: str
    document: dict[str, Any]
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def of(cls, row: Any) -> SchemeRow:
        return cls(**{name: row._mapping[name] for name in cls.__dataclass_fields__})


# Parsed schemes by (id, version): a published document changes only with its version (a notice
# date), so the event handlers and reads of one replica parse it once.
_PARSED: OrderedDict[tuple[str, int], Scheme] = OrderedDict()
_PARSED_MAX = 64


def parsed(row: SchemeRow) -> Scheme:
    found = _PARSED.get((row.id, row.version))
    return found if found is not None else _remember(row.id, row.version, row.document)


def _remember(scheme_id: str, version: int, document: dict[str, Any]) -> Scheme:
    found = _PARSED[(scheme_id, version)] = load_scheme(document)
    while len(_PARSED) > _PARSED_MAX:
        _PARSED.popitem(last=False)
    return found


async def parsed_version(session: AsyncSession, scheme_id: str, version: int) -> Scheme:
    """The parsed scheme of that version; its document (large: every unit of every category) is
    read only when this replica has not parsed it yet."""
    found = _PARSED.get((scheme_id, version))
    if found is not None:
        return found
    row = (await session.execute(select(schemes.c.document, schemes.c.version).where(schemes.c.id == scheme_id))).one()
    # Keyed by the version read with the document: a newer one may have been stored meanwhile.
    return _remember(scheme_id, row.version, row.document)


def no_such(what: str, ident: str) -> ProblemError:
    return not_found(what, f"没有编号为 {ident} 的{what}")


def may_see_drafts(actor: Principal) -> bool:
    return actor.sees_all_units or actor.has_role(*SCHEME_WRITERS)


async def load_scheme_row(
    session: AsyncSession, actor: Principal | None, scheme_id: str, *, lock: bool = False
) -> SchemeRow:
    """The scheme, or 404 (a draft is invisible to whoever may not edit or oversee it)."""
    statement = select(schemes).where(schemes.c.id == scheme_id)
    if lock:
        statement = statement.with_for_update()
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        raise no_such("考核方案", scheme_id)
    scheme = SchemeRow.of(row)
    if actor is not None and scheme.state == "draft" and not may_see_drafts(actor):
        raise no_such("考核方案", scheme_id)
    return scheme


def require(actor: Principal, roles: Sequence[str], what: str) -> None:
    if not actor.has_role(*roles):
        raise forbidden(f"{what}需要以下角色之一：{', '.join(roles)}")


async def load_sheet_row(session: AsyncSession, actor: Principal | None, sheet_id: str, *, lock: bool = False) -> Any:
    """The sheet if the caller may read it (the unit's staff, unit-wide roles); else the same 404
    as for no sheet at all."""
    statement = select(sheets).where(sheets.c.id == sheet_id)
    if lock:
        statement = statement.with_for_update()
    row = (await session.execute(statement)).one_or_none()
    if row is None or (actor is not None and not actor.can_read(row.unit_code)):
        raise no_such("评分表", sheet_id)
    return row


def entry_of(row: Any) -> Entry:
    """A stored entry as the domain scores it (a row of ``ENTRY_SCORING_COLUMNS``)."""
    _, indicator, source, occurrences, participant, ratio, measure, points, method, on, voided_at = row
    return Entry(
        indicator=indicator,
        source=source,
        occurrences=occurrences,
        participant=participant,
        ratio=None if ratio is None else Decimal(ratio),
        measure=None if measure is None else Decimal(measure),
        points=None if points is None else Decimal(points),
        method=method,
        on=on,
        voided=voided_at is not None,
    )


def entry_of_row(row: Any) -> Entry:
    """A full ``sheet_entries`` row as the domain scores it."""
    return entry_of(tuple(row._mapping[c.name] for c in ENTRY_SCORING_COLUMNS))


ENTRY_SCORING_COLUMNS = (
    sheet_entries.c.sheet_id,
    sheet_entries.c.indicator,
    sheet_entries.c.source,
    sheet_entries.c.occurrences,
    sheet_entries.c.participant,
    sheet_entries.c.ratio,
    sheet_entries.c.measure,
    sheet_entries.c.points,
    sheet_entries.c.method,
    sheet_entries.c.on,
    sheet_entries.c.voided_at,
)


async def entries_by_sheet(session: AsyncSession, sheet_ids: Iterable[str]) -> dict[str, list[Entry]]:
    """The active and voided entries of the sheets, in recording order, grouped by sheet; streamed
    in chunks so a category of thousands of sheets never holds more than the domain objects."""
    ids = list(sheet_ids)
    found: dict[str, list[Entry]] = {sheet_id: [] for sheet_id in ids}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        result = await session.stream(
            select(*ENTRY_SCORING_COLUMNS)
            .where(sheet_entries.c.sheet_id.in_(chunk), sheet_entries.c.voided_at.is_(None))
            .order_by(sheet_entries.c.sheet_id, sheet_entries.c.seq)
        )
        async for rows in result.partitions(5000):
            for row in rows:
                found[row[0]].append(entry_of(row))
    return found
