"""Request and response models of the deadline sweep run by hand:
``POST /api/v1/admin/requests/sweeps/deadlines``."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class DeadlineSweepIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}, {"today": "2026-12-31"}]})

    today: date | None = Field(
        None,
        description="按此日期执行（仅限开发、测试环境）/ sweep as of this legal date — dev and test only; "
        "production always uses the service clock",
    )


class DeadlineSweepOut(BaseModel):
    today: date = Field(description="执行所依据的日期 / the legal date swept as of")
    scanned: int = Field(description="检查的办理中申请数 / open applications checked (overdue or near their due date)")
    due_soon_emitted: int = Field(description="发出的到期提醒 request.due_soon")
    overdue_emitted: int = Field(description="发出的逾期事件 request.overdue")
    hotline_unanswered_emitted: int = Field(description="发出的12345工单未按时回应 hotline.workorder_unanswered")
    lapsed: int = Field(
        description="逾期不补正、逾期未缴费而办结的申请数 / concluded as correction_lapsed or fee_unpaid"
    )
    signatures_purged: int = Field(description="清理的过期集成签名 / integration signatures past their replay window")
    consultations_lapsed: int = Field(
        0, description="征求意见15个工作日届满自动结束 / consultations lapsed (Art. 32, 34)"
    )
    reasons_lapsed: int = Field(0, description="说明理由期限届满 / requests for reasons lapsed (Art. 35)")
    unconfirmed_emitted: int = Field(0, description="发出的逾期未确认收到 request.unconfirmed (Art. 31)")
    report_up_due_soon_emitted: int = Field(0, description="发出的报告上级提醒 request.report_up_due_soon")
    report_up_overdue_emitted: int = Field(0, description="发出的报告上级逾期 request.report_up_overdue")
