"""The reactions of DESIGN §3 through the service's real inbox: applied once, to the scheme whose
period holds the event's date; kept until publication; voided by an assessor with a reason."""

from __future__ import annotations

from datetime import date

from tests.scoring.helpers import api, appraisal, example_document, overdue, review_corrected, unanswered
from tests.scoring.test_seed_003_scored import leaf


async def test_one_event_delivered_twice_is_applied_once(database_url: str) -> None:
    async with api(database_url) as a:
        scheme = await a.publish(await a.import_scheme())
        sheet_id = (await a.sheets(scheme["id"]))["A01"]
        event = overdue("A01")
        await a.deliver(event)
        await a.deliver(event)  # redelivered
        await a.deliver(event, event)  # twice in one batch
        sheet = await a.sheet(sheet_id)
        assert len([e for e in sheet["entries"] if e["source"] == "system"]) == 1
        assert leaf(sheet, "A3.2.1")["points"] == 4


async def test_an_event_before_publication_is_applied_at_publication(database_url: str) -> None:
    async with api(database_url) as a:
        draft = await a.import_scheme()
        early = overdue("A01", due_on=date(2023, 3, 1))
        next_year = overdue("A01", due_on=date(2024, 3, 1))  # another period: stays pending
        await a.deliver(early, next_year)
        scheme = await a.publish(draft)
        sheet = await a.sheet((await a.sheets(scheme["id"]))["A01"])
        [entry] = [e for e in sheet["entries"] if e["source"] == "system"]
        assert entry["event_id"] == early.id and entry["indicator"] == "A3.2.1" and entry["on"] == "2023-03-01"
        assert leaf(sheet, "A3.2.1")["points"] == 4


async def test_each_event_lands_on_the_indicator_bound_to_its_source(database_url: str) -> None:
    document = example_document()
    # The example binds no indicator to public_appraisal: bind B's proportional 双公示 leaf for this test.
    b_tree = document["categories"][1]["indicators"][1]["children"][0]["children"]
    next(n for n in b_tree if n["code"] == "B2.1.6")["auto_source"] = "public_appraisal"
    async with api(database_url) as a:
        scheme = await a.publish(await a.import_scheme(document))
        sheets = await a.sheets(scheme["id"])
        await a.deliver(review_corrected("A01"), review_corrected("A01", result="upheld"), unanswered("A01"))
        await a.deliver(appraisal("B01", 75.0), appraisal("A01", 90.0))
        a01 = await a.sheet(sheets["A01"])
        assert leaf(a01, "A3.3.1")["points"] == 2  # 复议诉讼被纠错: 3 − 1; the upheld one is not a finding
        assert leaf(a01, "A4.2.2")["points"] == 2  # 12345未按要求及时回应: 3 − 1
        b01 = await a.sheet(sheets["B01"])
        assert leaf(b01, "B2.1.6")["points"] == 6  # 社会评议 75 分 → 8 × 75 %
        [entry] = [e for e in b01["entries"] if e["source"] == "system"]
        assert (entry["ref_kind"], entry["ref_id"]) == ("campaign", "camp-2023")
        kinds = {e["ref_kind"] for e in a01["entries"]}
        assert kinds == {"request", "workorder"}  # A has no public_appraisal leaf: that finding is unbound


async def test_an_assessor_voids_a_system_entry_with_a_reason_never_deleting_it(database_url: str) -> None:
    async with api(database_url) as a:
        scheme = await a.publish(await a.import_scheme())
        sheet_id = (await a.sheets(scheme["id"]))["A01"]
        await a.deliver(overdue("A01"))
        [entry] = [e for e in (await a.sheet(sheet_id))["entries"] if e["source"] == "system"]
        url = f"/api/v1/sheets/{sheet_id}/entries/{entry['id']}/void"
        refused = await a.client.post(url, json={"reason": "申诉"}, headers=a.staff("A01"))
        assert refused.status_code == 403
        voided = await a.client.post(url, json={"reason": "申诉成立：已在期限内答复"}, headers=a.assessor)
        assert voided.status_code == 200 and voided.json()["voided"] is True
        again = await a.client.post(url, json={"reason": "再次作废"}, headers=a.assessor)
        assert again.status_code == 409
        sheet = await a.sheet(sheet_id)
        assert leaf(sheet, "A3.2.1")["points"] == 6
        [kept] = [e for e in sheet["entries"] if e["source"] == "system"]
        assert kept["void_reason"] == "申诉成立：已在期限内答复" and kept["voided_by"] == "assessor"
