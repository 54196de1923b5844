"""信息处理费 — the information-processing fee (条例 第四十二条; 国办函〔2020〕109号).

A fee is charged only when an applicant's applications clearly exceed a reasonable number or
frequency (条例 第四十二条); the office then chooses one of two methods (109号 二、(一)):

- 按件计收 (``per_application``): one applicant's applications in one calendar month — the 1st–10th
  free, the 11th–30th 100 yuan each, and from the 31st every further block of 10 costs 100 yuan
  more per application (31st–40th 200, 41st–50th 300, …);
- 按量计收 (``per_page``): one application's pages — the first 30 free, pages 31–100 10 yuan each,
  101–200 20 yuan each, above 200 40 yuan each.

Amounts are whole yuan (``int``): every band is a whole number of yuan.
"""

from __future__ import annotations

from typing import Literal

from shared.domain import InvalidInput

__all__ = ["FEE_BASIS", "FEE_METHODS", "FeeMethod", "fee_amount", "fee_per_application", "fee_per_page", "fee_standard"]

# What the notice must state (国办函〔2020〕109号 三): the basis, the standard and how to pay.
FEE_BASIS = "《中华人民共和国政府信息公开条例》第四十二条；《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"

FeeMethod = Literal["per_application", "per_page"]
FEE_METHODS: tuple[FeeMethod, ...] = ("per_application", "per_page")

# 按量计收: (first page of the band, yuan per page in it), the last band open-ended.
_PAGE_BANDS: tuple[tuple[int, int], ...] = ((1, 0), (31, 10), (101, 20), (201, 40))


def _count(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidInput(
            "fee_input_invalid", "信息处理费计算参数无效", f"{name} 须为不小于{minimum}的整数，收到 {value!r}"
        )
    return value


def fee_per_application(nth_in_month: int) -> int:
    """The fee for an applicant's ``nth_in_month`` application of a calendar month (按件计收)."""
    nth = _count(nth_in_month, "nth_in_month", 1)
    if nth <= 10:
        return 0
    if nth <= 30:
        return 100
    return 100 * (2 + (nth - 31) // 10)


def fee_per_page(pages: int) -> int:
    """The fee for one application's ``pages`` pages (按量计收), each band charged at its own rate."""
    count = _count(pages, "pages", 0)
    total = 0
    bounds = [first for first, _ in _PAGE_BANDS[1:]] + [count + 1]
    for (first, rate), next_first in zip(_PAGE_BANDS, bounds, strict=False):
        pages_in_band = min(count, next_first - 1) - first + 1
        if pages_in_band > 0:
            total += pages_in_band * rate
    return total


def fee_amount(method: FeeMethod, *, nth_in_month: int | None = None, pages: int | None = None) -> int:
    """The fee by the method the office chose; the input the other method needs is ignored."""
    if method == "per_application":
        if nth_in_month is None:
            raise InvalidInput("fee_input_missing", "按件计收须提供申请人当月第几件申请", "nth_in_month")
        return fee_per_application(nth_in_month)
    if method == "per_page":
        if pages is None:
            raise InvalidInput("fee_input_missing", "按量计收须提供页数", "pages")
        return fee_per_page(pages)
    raise InvalidInput(
        "fee_method_invalid", "收费方式无效", f"method 须为 per_application 或 per_page，收到 {method!r}"
    )


def fee_standard(method: FeeMethod, *, nth_in_month: int | None = None, pages: int | None = None) -> str:
    """The standard applied, in the notice's words (国办函〔2020〕109号 二、(一))."""
    if method == "per_application":
        return (
            f"按件计收：申请人本自然月内向本机关提出的第{nth_in_month}件申请；每月10件以内（含）不收费，"
            "11—30件（含）每件100元，31件以上每增加10件、每件收费标准提高100元"
        )
    return (
        f"按量计收：本件申请共{pages}页；30页以内（含）不收费，31—100页（含）每页10元，"
        "101—200页（含）每页20元，201页以上每页40元"
    )
