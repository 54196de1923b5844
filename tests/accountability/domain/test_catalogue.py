"""The catalogue (DESIGN §8): every entry with its label and the article it comes from."""

from __future__ import annotations

from services.accountability.domain.catalogue import AGGRAVATING, FACTORS, MITIGATING, SANCTIONS, VIOLATIONS


def test_every_violation_of_article_5_is_catalogued_with_its_item() -> None:
    items = ["(一)", "(二)", "(三)", "(四)", "(五)", "(六)", "(七)", "(八)", "(九)", "(十)", "(十一)"]
    sources = [v.source for v in VIOLATIONS.values() if v.code != "appraisal_failed"]
    assert sources == [f"责任追究办法 第五条{item}" for item in items]
    assert VIOLATIONS["appraisal_failed"].source == "考核办法 第十一条"
    assert VIOLATIONS["application_mishandled"].label == "未依法办理政府信息公开申请"


def test_the_design_sanctions_are_all_there_with_their_sources() -> None:
    design = {
        "rectification_order",
        "public_criticism",
        "interview",
        "disciplinary_recommendation",
        "judicial_referral",
        "award_disqualification",
    }
    assert design <= set(SANCTIONS)
    assert SANCTIONS["interview"].label == "约谈"
    assert all(s.source for s in SANCTIONS.values())


def test_mitigating_factors_come_from_article_8_and_aggravating_from_article_9() -> None:
    assert all(FACTORS[c].source.startswith("责任追究办法 第八条") for c in MITIGATING)
    assert all(FACTORS[c].source.startswith("责任追究办法 第九条") for c in AGGRAVATING)
    assert len(MITIGATING) == 4 and len(AGGRAVATING) == 5
    assert FACTORS["repeat_offence"].source == "责任追究办法 第九条(四)"
