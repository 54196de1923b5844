"""The public page in a real headless browser (issue 13 §2): Debian's chromium, driven by selenium,
against the service served by uvicorn — open the page, answer, submit, see the thanks page; the
second submission from the same respondent (the same cookie) is refused with a readable message.

Chromium and its driver come from apt (`chromium`, `chromium-driver`: .ci/run installs them). Where
they are missing locally the test is skipped with the reason; under CI it fails instead."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from services.appraisal.app import create_app
from shared.auth import mint_dev_token
from tests.appraisal.support import CAMPAIGNS, UNITS, Api, campaign_body
from tests.support import make_settings, migrate

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def require_chromium() -> None:
    if os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER):
        return
    message = f"{CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must run every test)")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """The appraisal app under uvicorn in a thread of its own, on a migrated SQLite file."""

    def __init__(self, tmp_path: Path) -> None:
        from services.appraisal.app import SPEC

        url = f"sqlite+aiosqlite:///{tmp_path / 'appraisal.sqlite3'}"
        migrate(SPEC, url)
        self.settings = make_settings(appraisal_database_url=url, run_background_jobs=False)
        self.app = create_app(self.settings)
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self.server.serve())

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *_: Any) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def call(self, coroutine: Any) -> Any:
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(20)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    require_chromium()
    with LiveServer(tmp_path) as server:
        yield server


def test_answer_submit_and_refusal_in_a_real_browser(live: LiveServer) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    helper = Api(live.app, live.settings, httpx.AsyncClient())
    live.call(helper.add_units(UNITS))
    office = {"Authorization": "Bearer " + mint_dev_token(live.settings, sub="office", roles=["office"], unit_codes=[])}
    now = datetime.now(UTC)
    body = campaign_body(
        opens_at=(now - timedelta(hours=1)).isoformat(), closes_at=(now + timedelta(days=1)).isoformat()
    )
    with httpx.Client(base_url=live.base) as client:
        campaign = client.post(CAMPAIGNS, json=body, headers=office).json()
        opened = client.post(f"{CAMPAIGNS}/{campaign['id']}/open", headers={**office, "If-Match": '"1"'})
        assert opened.status_code == 200, opened.text

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=420,900",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(30)

        def answer_the_water_company() -> None:
            driver.get(f"{live.base}/appraisal/{campaign['id']}")
            assert "2025年度政务公开工作社会评议" in driver.title
            form = driver.find_element(By.CSS_SELECTOR, "#unit-3 form")
            for n in range(1, 7):
                form.find_element(By.CSS_SELECTOR, f'input[name="q{n}"][value="basically_satisfied"]').click()
            form.find_element(By.CSS_SELECTOR, 'textarea[name="q7"]').send_keys("希望在营业厅公开水价调整依据")
            form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
            WebDriverWait(driver, 15).until(lambda d: "2025年度政务公开工作社会评议 —" not in d.title)

        answer_the_water_company()
        assert "感谢您的参与" in driver.find_element(By.TAG_NAME, "body").text
        assert "市自来水公司" in driver.find_element(By.TAG_NAME, "body").text
        # The same browser (the same respondent cookie) answers the same unit again.
        answer_the_water_company()
        text = driver.find_element(By.TAG_NAME, "body").text
        assert "您已对该单位提交过评议，每人对每个单位只能评议一次" in text
        assert "返回评议页面" in text
    finally:
        driver.quit()
