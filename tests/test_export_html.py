"""The HTML port map in a real headless Chromium, Debian's package driven by Selenium.

Selenium is given the chromedriver and chromium binaries, so Selenium Manager
never downloads a browser. Without Chromium the tests skip (they fail in CI,
where .ci/run installs it).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI, allocation, cli, write_register

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)
EVIL = '"<script>document.title=\\"pwned\\"</script><img src=x onerror=document.title=1>"'
FILES = {
    "ports/web.yaml": allocation(service="web", port=8080, protocol="[tcp, udp]"),
    "ports/x11.yaml": allocation(service="x11", port='"6000-6063"', scope="prod"),
    "ports/evil.yaml": allocation(service="evil", port=7000, description=EVIL),
    "ports/gone.yaml": allocation(
        service="gone", port=9000, status="retired", retired_on="2026-10-01"
    ),
    "ports/eu.yaml": allocation(service="eu", port=7100, scope="prod/eu"),
    "ports/us.yaml": allocation(service="us", port=7200, scope="prod/us"),
}


def _binaries() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium is None or driver is None:
        message = "no chromium/chromedriver on PATH (Debian packages; .ci/run installs them)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return chromium, driver


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("html")
    root = write_register(tmp / "reg", FILES)
    target = tmp / "map.html"
    code, _, err = cli("export", "--format", "html", "--output", str(target), "--root", str(root))
    assert code == 0, err
    return target


@pytest.fixture(scope="module")
def browser(page: Path) -> Iterator[Any]:
    chromium, driver_path = _binaries()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*FLAGS, f"--user-data-dir={page.parent / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def opened(browser: Any, page: Path) -> Any:
    browser.get(page.as_uri())
    return browser


def _blocks(driver: Any, kind: str) -> list[tuple[str, str]]:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, f".strip .block.{kind}")
    return sorted(
        (
            b.find_element(By.XPATH, "..").get_attribute("data-protocol"),
            b.get_attribute("data-port"),
        )
        for b in found
    )


def _ids(driver: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    rows = driver.find_elements(By.CSS_SELECTOR, "#allocations tbody tr")
    return [row.find_elements(By.TAG_NAME, "td")[0].text for row in rows]


def test_renders_with_no_console_errors_and_no_injected_script(opened: Any, page: Path) -> None:
    from selenium.webdriver.common.by import By

    assert opened.get_log("browser") == []
    assert opened.title == "Port register"  # neither the <script> nor the onerror ran
    assert opened.find_elements(By.CSS_SELECTOR, "#allocations img, #allocations script") == []
    evil = opened.find_element(By.XPATH, "//td[text()='evil']/following-sibling::td[6]")
    assert evil.text.startswith('<script>document.title="pwned"</script>')
    opened.save_screenshot(str(page.parent / "map.png"))
    assert (page.parent / "map.png").stat().st_size > 10_000


def test_map_shows_the_allocated_blocks(opened: Any) -> None:
    assert _blocks(opened, "allocated") == [
        ("tcp", "6000-6063"),
        ("tcp", "7000"),
        ("tcp", "7100"),
        ("tcp", "7200"),
        ("tcp", "8080"),
        ("udp", "8080"),
    ]
    assert _blocks(opened, "quarantined") == [("tcp", "9000")]
    assert ("tcp", "30000-32767") in _blocks(opened, "reserved")
    assert _blocks(opened, "closed") == [  # outside the policy's ranges, not free
        ("sctp", "0-1023"),
        ("sctp", "30000-65535"),
        ("tcp", "0-1023"),
        ("tcp", "30000-60999"),
        ("tcp", "65000-65535"),
        ("udp", "0-1023"),
        ("udp", "30000-65535"),
    ]


def test_scope_selector_keeps_what_overlaps(opened: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(opened.find_element(By.ID, "scope")).select_by_visible_text("prod/eu")
    assert [port for _, port in _blocks(opened, "allocated")] == [
        "6000-6063",  # prod contains prod/eu
        "7000",
        "7100",
        "8080",
        "8080",
    ]
    assert "us" not in _ids(opened)


def test_search_box_filters_and_headers_sort(opened: Any) -> None:
    from selenium.webdriver.common.by import By

    assert _ids(opened) == ["x11", "evil", "eu", "us", "web", "gone"]
    opened.find_element(By.ID, "search").send_keys("x11")
    assert _ids(opened) == ["x11"]
    assert opened.find_element(By.ID, "count").text == "1 of 6"
    opened.find_element(By.ID, "search").clear()
    opened.find_element(By.ID, "search").send_keys("prod")
    assert _ids(opened) == ["x11", "eu", "us"]
    opened.find_element(By.XPATH, "//th[text()='id']").click()
    assert _ids(opened) == ["eu", "us", "x11"]


def test_hover_details_and_zoom(opened: Any) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    block = opened.find_element(By.CSS_SELECTOR, '.strip[data-protocol="udp"] [data-port="8080"]')
    ActionChains(opened).move_to_element(block).perform()
    tip = opened.find_element(By.ID, "tip")
    assert tip.text.splitlines()[:3] == ["web", "udp/8080", "@acme/team"]
    ActionChains(opened).move_to_element(block).click().perform()
    low, high = opened.find_element(By.ID, "window").text.split("-")
    assert int(low) <= 8080 <= int(high)
    assert int(high) - int(low) + 1 == 65536 // 8
