"""The public page ``/appraisal/{campaign}`` over HTTP (issue 13 §2): the questionnaire in Chinese
with every unit and question, no script and no external asset, names escaped; the form posted to
the response API answered with the thanks page, a second one with a readable refusal; closed and
unknown campaigns said in words; the QR code. (The same in a real browser: test_browser.py.)"""

from __future__ import annotations

import re

from tests.appraisal.support import AFTER, CAMPAIGNS, api


async def test_page_lists_units_and_questions_and_the_form_posts_a_response(database_url: str) -> None:
    async with api(database_url) as a:
        await a.add_units({"EDU": '市教育局<script>alert("x")</script>'}, version=2)
        campaign = await a.opened()
        page = await a.client.get(f"/appraisal/{campaign['id']}")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        html = page.text
        assert "<script>" not in html and "&lt;script&gt;" in html  # the unit's name, escaped
        assert "http://" not in html and "https://" not in html and "src=" not in html  # nothing external
        assert '<meta name="viewport"' in html and 'lang="zh-CN"' in html
        assert html.count("<form") == 3 and "市卫生健康委员会" in html and "市自来水公司" in html
        assert "是否指定机构、人员负责政务公开日常工作" in html and "基本满意" in html
        cookie = page.cookies.get("gk_respondent")
        assert cookie and re.search(rf'name="respondent_token" value="{re.escape(cookie)}"', html)
        # Opening the page again keeps the respondent.
        assert (await a.client.get(f"/appraisal/{campaign['id']}")).cookies.get("gk_respondent") is None

        form = {
            "unit_code": "HEALTH",
            "method": "public",
            "respondent_token": cookie,
            **{f"q{i}": "satisfied" for i in range(1, 7)},
        }
        form["q7"] = "<img src=x onerror=alert(1)>\r\n"
        posted = await a.client.post(f"{CAMPAIGNS}/{campaign['id']}/responses", data=form)
        assert (
            posted.status_code == 303
            and posted.headers["location"] == f"/appraisal/{campaign['id']}/thanks?unit=HEALTH"
        )
        thanks = await a.client.get(posted.headers["location"])
        assert "感谢您的参与" in thanks.text and "市卫生健康委员会" in thanks.text
        again = await a.client.post(f"{CAMPAIGNS}/{campaign['id']}/responses", data=form)
        assert again.status_code == 409 and again.headers["content-type"].startswith("text/html")
        assert "您已对该单位提交过评议" in again.text and f'href="/appraisal/{campaign["id"]}"' in again.text
        # A form missing required answers: a page naming the questions.
        partial = await a.client.post(
            f"{CAMPAIGNS}/{campaign['id']}/responses",
            data={"unit_code": "EDU", "q1": "satisfied", "respondent_token": cookie},
        )
        assert partial.status_code == 422 and "此题必答" in partial.text

        a.at(AFTER)
        await a.transition(campaign, "close")
        closed = await a.client.get(f"/appraisal/{campaign['id']}")
        assert closed.status_code == 200 and "本次评议已结束" in closed.text and "<form" not in closed.text
        unknown = await a.client.get("/appraisal/no-such-campaign")
        assert unknown.status_code == 404 and "评议活动不存在" in unknown.text


async def test_qr_code_of_the_campaign_link(database_url: str) -> None:
    async with api(database_url) as a:
        campaign = await a.opened()
        svg = await a.client.get(f"/appraisal/{campaign['id']}/qr.svg")
        assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml" and b"<svg" in svg.content
        png = await a.client.get(f"/appraisal/{campaign['id']}/qr.png")
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
        assert (await a.client.get("/appraisal/00000000-0000-0000-0000-000000000000/qr.png")).status_code == 404
