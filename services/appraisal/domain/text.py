"""Free text from the public (意见建议): kept as written, with control characters refused.

What a citizen writes is evidence of a problem (社会评议办法 第九条: 评议中发现的问题) and the office
edits a summary of it, never the original; so the original is stored exactly as written — markup
included, since escaping is the job of whatever shows it (the page's Jinja2 autoescape, the .xlsx
writer), not of the store. Two things are not "as written" and are handled here:

- line breaks: a browser submits a textarea's line breaks as CRLF; CRLF and a lone CR become LF, so
  the same text typed twice is stored the same way;
- control characters (Unicode category Cc: C0, DEL, C1) other than tab and line feed, and lone
  surrogates (Cs, which JSON's ``\\ud800`` escapes can produce and no database text column takes):
  refused with the position, not silently dropped — nobody types them, so they mean a broken client
  or an attempt to smuggle something (a NUL that truncates, an escape sequence for a terminal), and
  the respondent can correct the text.

Length is counted in characters (code points) after the line-break normalisation.
"""

from __future__ import annotations

import unicodedata

__all__ = ["ALLOWED_CONTROLS", "free_text_error", "normalise_line_breaks"]

ALLOWED_CONTROLS = frozenset("\t\n")


def normalise_line_breaks(text: str) -> str:
    """``text`` with CRLF and lone CR turned into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def free_text_error(text: str, max_length: int) -> tuple[str, str] | None:
    """``(code, Chinese message)`` for text that may not be stored, or None; ``text`` normalised first."""
    for position, char in enumerate(text, start=1):
        category = unicodedata.category(char)
        if (category == "Cc" and char not in ALLOWED_CONTROLS) or category == "Cs":
            return (
                "free_text_control_character",
                f"第{position}个字符是不可见的控制字符（U+{ord(char):04X}），请删除后再提交",
            )
    if len(text) > max_length:
        return "free_text_too_long", f"不能超过{max_length}个字，当前{len(text)}个字"
    return None
