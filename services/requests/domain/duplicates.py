"""重复申请 (条例 第三十六条(六)): "申请人以相同内容重复申请" — the same applicant asking the same unit
for the same information again, after it was answered. The system only flags a possible duplicate
to the handler, with a link to the earlier application; whether it is one (and the reply
``not_processed.duplicate``) is the handler's call — two descriptions alike in words may ask for
different years' figures, and only a person reads that.

The match is on a digest of the description with case, width, whitespace and punctuation
normalised away, so "2026年 部门预算。" and "2026年部门预算" match and a changed year does not."""

from __future__ import annotations

import hashlib
import unicodedata

__all__ = ["description_digest"]


def _kept(ch: str) -> bool:
    category = unicodedata.category(ch)
    return not (
        category.startswith("P") or category.startswith("Z") or category.startswith("C") or category.startswith("S")
    )


def description_digest(description: str) -> str:
    """A hex SHA-256 of the normalised description (NFKC, case-folded, without whitespace,
    punctuation, symbols and control characters)."""
    text = unicodedata.normalize("NFKC", description).casefold()
    return hashlib.sha256("".join(ch for ch in text if _kept(ch)).encode()).hexdigest()
