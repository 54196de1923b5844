"""Issue 11's rules without I/O, on the real 2026 calendar (清明 04-04..06; none in March or August):
received 2026-03-02 → due 2026-03-30; a consultation from 2026-03-03 → its 15th working day 03-24."""

from __future__ import annotations

from datetime import date

import pytest

from services.requests.domain.deadlines import (
    CorrectionReceived,
    CorrectionRequested,
    Deferred,
    Extended,
    PauseEnded,
    PauseStarted,
    Received,
    compute_deadline,
)
from services.requests.domain.duplicates import description_digest
from services.requests.domain.fees import fee_standard
from services.requests.domain.limits import (
    correction_notice_allowed,
    deferral_allowed,
    extension_allowed,
    fee_notice_allowed,
    reasons_due,
    reasons_request_allowed,
    report_up_due,
    review_opinion_due,
    unconfirmed_cutoff,
)
from services.requests.domain.obligations import confirm_receipt, consultation_answer, report_up
from services.requests.domain.outcomes import ALL_OUTCOMES, OUTCOMES, REPORT_UP_OUTCOMES, report_row
from services.requests.domain.rules import rule_set
from services.requests.domain.states import state_after_correction, transition
from shared.calendar import WorkingDayCalendar
from shared.domain import DomainError, InvalidInput

CAL = WorkingDayCalendar()
NATIONAL = rule_set("national_2019")
D = date
RECEIVED = [Received(D(2026, 3, 2))]


def deadline(facts: list, today: date):  # type: ignore[no-untyped-def]
    return compute_deadline(NATIONAL, CAL, facts, today=today)


# -- 条例 第三十条 -----------------------------------------------------------------------------------


def test_art_30_notice_allowed_on_the_7th_working_day_after_receipt_and_refused_on_the_8th() -> None:
    facts = [Received(D(2026, 8, 3))]
    correction_notice_allowed(NATIONAL, CAL, facts, D(2026, 8, 12))
    with pytest.raises(DomainError) as caught:
        correction_notice_allowed(NATIONAL, CAL, facts, D(2026, 8, 13))
    assert caught.value.code == "correction_notice_late"


def test_art_30_one_notice_only_a_second_names_the_first() -> None:
    facts = [Received(D(2026, 8, 3)), CorrectionRequested(D(2026, 8, 5)), CorrectionReceived(D(2026, 8, 6))]
    with pytest.raises(DomainError) as caught:
        correction_notice_allowed(NATIONAL, CAL, facts, D(2026, 8, 7))
    assert caught.value.code == "correction_already_requested" and "2026-08-05" in str(caught.value.detail)


def test_art_30_the_work_resumes_where_it_stood_once_corrected() -> None:
    assert transition("in_progress", "request-correction") == "correction_requested"
    assert transition("consulting", "request-correction") == "correction_requested"
    assert transition("review", "request-correction") == "correction_requested"
    with pytest.raises(DomainError):
        transition("replied", "request-correction")
    assert state_after_correction(handler_assigned=False, consultations_open=0, fee_unpaid=False) == "registered"
    assert state_after_correction(handler_assigned=True, consultations_open=1, fee_unpaid=True) == "consulting"
    assert state_after_correction(handler_assigned=True, consultations_open=0, fee_unpaid=True) == "fee_pending"
    assert state_after_correction(handler_assigned=True, consultations_open=0, fee_unpaid=False) == "in_progress"


# -- 条例 第三十二条、第三十四条: a consultation ends by itself -----------------------------------------


def _consulting(party: str = "third_party") -> list:
    return [*RECEIVED, PauseStarted("c1", "consultation", D(2026, 3, 3), until=D(2026, 3, 24), party=party)]


def test_art_32_a_silent_consultation_pauses_through_its_15th_working_day_and_not_on_its_16th() -> None:
    on_15th = deadline(_consulting(), D(2026, 3, 24))
    assert on_15th.running is False and on_15th.paused_by == ("consultation",)
    on_16th = deadline(_consulting(), D(2026, 3, 25))
    assert on_16th.running is True and on_16th.paused_by == () and on_16th.due_on == D(2026, 4, 21)
    # Months later, unrecorded: the due date no longer drifts.
    assert deadline(_consulting(), D(2026, 11, 2)).due_on == D(2026, 4, 21)
    line = next(p for p in on_16th.periods if p.kind == "consultation")
    assert line.end == D(2026, 3, 24) and line.working_days == 15 and "第三十二条" in line.note


def test_art_34_the_lapse_of_an_agency_consultation_is_explained_as_consent() -> None:
    facts = [*_consulting("agency"), PauseEnded("c1", D(2026, 3, 24), "lapsed")]
    line = next(p for p in deadline(facts, D(2026, 4, 1)).periods if p.kind == "consultation")
    assert "视为同意公开" in line.note and "第三十四条" in line.note


def test_art_32_an_answer_before_the_15th_day_ends_the_pause_that_day() -> None:
    facts = [*_consulting(), PauseEnded("c1", D(2026, 3, 10))]
    assert deadline(facts, D(2026, 3, 25)).due_on == D(2026, 4, 7)  # 03-30 + 5 working days, 清明 skipped


def test_art_32_disclosure_over_an_objection_needs_the_public_interest() -> None:
    guards = {"outcome": "disclosed", "latest_opinion": "disclose", "third_party_objected": True}
    with pytest.raises(DomainError) as caught:
        transition("review", "reply", **guards)
    assert caught.value.code == "third_party_objection"
    assert transition("review", "reply", **guards, public_interest=True) == "replied"


# -- a pause begun after the due date --------------------------------------------------------------


@pytest.mark.parametrize("start", [D(2026, 3, 30), D(2026, 3, 31), D(2026, 4, 2)])
def test_a_pause_begun_on_or_after_the_due_date_moves_nothing_and_stops_no_clock(start: date) -> None:
    facts = [*RECEIVED, PauseStarted("c1", "consultation", start, until=CAL.add_working_days(start, 15).day)]
    d = deadline(facts, D(2026, 4, 3))
    assert d.due_on == D(2026, 3, 30) and d.running is True and d.paused_by == ()


def test_a_pause_begun_the_day_before_the_due_date_still_pauses() -> None:
    facts = [*RECEIVED, PauseStarted("c1", "consultation", D(2026, 3, 27), until=D(2026, 4, 20))]
    d = deadline(facts, D(2026, 4, 3))
    assert d.running is False and d.due_on > D(2026, 3, 30)


# -- 国办函〔2020〕109号 -------------------------------------------------------------------------------


def test_fee_notice_within_the_reply_period_only() -> None:
    fee_notice_allowed(D(2026, 3, 30), D(2026, 3, 30))
    with pytest.raises(DomainError) as caught:
        fee_notice_allowed(D(2026, 3, 30), D(2026, 3, 31))
    assert caught.value.code == "fee_notice_after_due"


def test_fee_standard_states_the_bands_applied() -> None:
    assert "第11件" in fee_standard("per_application", nth_in_month=11)
    assert "共40页" in fee_standard("per_page", pages=40)


# -- 条例 第三十五条 ---------------------------------------------------------------------------------


def test_art_35_reasons_once_within_the_period_and_their_pause_ends_with_the_office_period() -> None:
    due = reasons_due(CAL, D(2026, 3, 4), 5)
    assert due == D(2026, 3, 11)
    facts = [*RECEIVED, PauseStarted("reasons", "reasons", D(2026, 3, 4), until=due)]
    with pytest.raises(DomainError, match="reasons_already_requested"):
        reasons_request_allowed(facts, D(2026, 3, 30), D(2026, 3, 5))
    with pytest.raises(DomainError, match="reasons_after_due"):
        reasons_request_allowed(RECEIVED, D(2026, 3, 30), D(2026, 3, 31))
    assert deadline(facts, D(2026, 3, 11)).running is False
    assert deadline(facts, D(2026, 3, 12)).due_on == D(2026, 4, 7)
    with pytest.raises(InvalidInput):
        reasons_due(CAL, D(2026, 3, 4), 0)


def test_art_35_unreasonable_volume_follows_a_request_for_reasons() -> None:
    reply = {"outcome": "not_processed.unreasonable_volume", "latest_opinion": "withhold"}
    with pytest.raises(DomainError, match="reasons_not_requested"):
        transition("review", "reply", **reply)
    with pytest.raises(DomainError, match="reasons_pending"):
        transition("review", "reply", **reply, reasons="pending")
    assert transition("review", "reply", **reply, reasons="lapsed") == "replied"
    assert transition("review", "reply", **reply, reasons="answered") == "replied"


def test_art_35_unreasonable_volume_is_row_4_of_not_processed_in_table_3() -> None:
    assert report_row("not_processed.unreasonable_volume") == "not_processed.excessive"
    assert "not_processed.unreasonable_volume" in ALL_OUTCOMES and "not_processed.unreasonable_volume" not in OUTCOMES
    assert ALL_OUTCOMES["not_processed.unreasonable_volume"].label == OUTCOMES["not_processed.excessive"].label


def test_art_35_a_deferral_replaces_the_due_date_with_no_cap_and_is_fixed() -> None:
    deferred = Deferred(D(2026, 3, 10), D(2026, 12, 31), "逐项检索")
    facts = [*RECEIVED, deferred, PauseStarted("c1", "consultation", D(2026, 3, 11), until=D(2026, 4, 1))]
    d = deadline(facts, D(2026, 3, 20))
    assert d.due_on == D(2026, 12, 31) and d.deferred is True and d.running is True and d.paused_by == ()
    line = next(p for p in d.periods if p.kind == "deferral")
    assert line.counted and "第三十五条" in line.note
    with pytest.raises(DomainError, match="already_deferred"):
        extension_allowed(NATIONAL, facts, 5)


def test_art_35_a_deferral_needs_stated_reasons_a_later_date_and_comes_once() -> None:
    deferred = Deferred(D(2026, 3, 10), D(2026, 5, 29), "量大")
    with pytest.raises(DomainError, match="reasons_not_stated"):
        deferral_allowed(RECEIVED, False, D(2026, 3, 30), deferred)
    deferral_allowed(RECEIVED, True, D(2026, 3, 30), deferred)
    with pytest.raises(InvalidInput, match="deferral_not_later"):
        deferral_allowed(RECEIVED, True, D(2026, 3, 30), Deferred(D(2026, 3, 10), D(2026, 3, 30), "量大"))
    with pytest.raises(DomainError, match="deferral_after_due"):
        deferral_allowed(RECEIVED, True, D(2026, 3, 30), Deferred(D(2026, 3, 31), D(2026, 5, 29), "量大"))
    with pytest.raises(DomainError, match="already_deferred"):
        deferral_allowed([*RECEIVED, deferred], True, D(2026, 5, 29), Deferred(D(2026, 3, 12), D(2026, 6, 1), "再"))
    with pytest.raises(InvalidInput):
        Deferred(D(2026, 3, 10), D(2026, 5, 29), " ")


def test_an_extension_granted_before_a_deferral_leaves_the_deferral_possible() -> None:
    facts = [*RECEIVED, Extended(10, D(2026, 3, 10), "r", "王")]
    deferral_allowed(facts, True, D(2026, 4, 14), Deferred(D(2026, 3, 12), D(2026, 6, 1), "量大"))


# -- 条例 第三十六条(六) --------------------------------------------------------------------------------


def test_art_36_the_digest_ignores_spacing_punctuation_and_width_but_not_a_changed_year() -> None:
    same = description_digest("2026年度部门预算及其执行情况")
    assert description_digest(" 2026年度 部门预算，及其执行情况。") == same
    assert description_digest("２０２６年度部门预算及其执行情况") == same  # full-width digits
    assert description_digest("2025年度部门预算及其执行情况") != same


# -- 条例 第三十一条; seed 001 ---------------------------------------------------------------------------


def test_art_31_unconfirmed_after_one_working_day() -> None:
    # Friday 08-07: Monday 08-10 is its first working day after; on Tuesday it is late.
    assert unconfirmed_cutoff(CAL, D(2026, 8, 10), 1) == D(2026, 8, 6)
    assert unconfirmed_cutoff(CAL, D(2026, 8, 11), 1) == D(2026, 8, 9)
    late = confirm_receipt(D(2026, 8, 7), D(2026, 8, 10), None, D(2026, 8, 11))
    assert late.status == "overdue" and late.blocks_reply is False
    assert confirm_receipt(D(2026, 8, 7), D(2026, 8, 10), D(2026, 8, 10), D(2026, 8, 11)).status == "done"


def test_seed_001_review_opinion_in_15_and_report_up_in_5_working_days() -> None:
    assert review_opinion_due(NATIONAL, CAL, D(2026, 3, 5)) == D(2026, 3, 26)
    assert report_up_due(NATIONAL, CAL, D(2026, 3, 20)) == D(2026, 3, 27)
    assert {code for code in ALL_OUTCOMES if code.startswith("withheld.")} == REPORT_UP_OUTCOMES
    assert report_up(D(2026, 3, 20), D(2026, 3, 27), None, D(2026, 3, 27)).status == "pending"
    assert report_up(D(2026, 3, 20), D(2026, 3, 27), None, D(2026, 3, 28)).status == "overdue"
    silent = consultation_answer("市自然资源局", "agency", D(2026, 3, 3), D(2026, 3, 24), None, False, D(2026, 3, 25))
    assert silent.status == "lapsed" and "视为同意公开" in silent.note
