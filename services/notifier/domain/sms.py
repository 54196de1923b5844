"""SMS length (短信计费条数, issue 15 §2): how many segments a text takes, and cutting one to fit.

3GPP TS 23.038 / 23.040: a text in the GSM 7-bit default alphabet takes 160 septets in one message,
153 per segment when concatenated (the user data header takes 7); its extension characters
(``^{}\\[~]|€`` and form feed) take two septets (escape + char). Anything else — every Chinese text —
goes as UCS-2: 70 characters in one message, 67 per segment concatenated. A character beyond the
BMP (an emoji, a rare 汉字 of CJK Extension B) takes two UTF-16 units. A segment never splits an
escape pair or a surrogate pair, so the count is the exact packing, not a division.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["SmsLength", "measure", "truncate"]

# GSM 03.38 basic character set (the escape code 0x1B excluded) and its extension table.
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
# (single message, per segment when concatenated), in the encoding's units
_LIMITS = {"gsm7": (160, 153), "ucs2": (70, 67)}

Encoding = Literal["gsm7", "ucs2"]


@dataclass(frozen=True)
class SmsLength:
    encoding: Encoding
    units: int  # septets (gsm7) or UTF-16 code units (ucs2)
    segments: int  # 0 for an empty text


def measure(text: str) -> SmsLength:
    encoding = _encoding(text)
    widths = _widths(text, encoding)
    return SmsLength(encoding, sum(widths), _segments(widths, encoding))


def truncate(text: str, max_segments: int, ellipsis: str = "…") -> str:
    """``text`` if it fits in ``max_segments``, else its longest prefix + ``ellipsis`` that does.

    The ellipsis counts in the encoding: "…" is not GSM, so it turns a GSM text into UCS-2.
    """
    if max_segments < 1:
        raise ValueError("max_segments must be at least 1")
    if measure(text).segments <= max_segments:
        return text
    encoding = _encoding(text + ellipsis)
    tail = _widths(ellipsis, encoding)
    widths = _widths(text, encoding)
    keep = len(widths)
    while keep and _segments(widths[:keep] + tail, encoding) > max_segments:
        keep -= 1
    return text[:keep] + ellipsis


def _encoding(text: str) -> Encoding:
    return "gsm7" if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in text) else "ucs2"


def _widths(text: str, encoding: Encoding) -> list[int]:
    if encoding == "gsm7":
        return [2 if c in _GSM_EXTENDED else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def _segments(widths: list[int], encoding: Encoding) -> int:
    single, per_segment = _LIMITS[encoding]
    total = sum(widths)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, used = 1, 0
    for width in widths:  # greedy packing: a 2-unit character never straddles two segments
        if used + width > per_segment:
            segments, used = segments + 1, 0
        used += width
    return segments
