"""The HTML port map in a real headless Chromium (Debian's package, never a downloaded one).

Chromium runs the page's script, then ``--dump-dom`` prints the DOM it built:
the map's blocks and the table rows are asserted there. ``#q=`` fills the
search box the same way typing does, so the filter runs through its own code.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import IN_CI, allocation, cli, write_register

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--virtual-time-budget=3000",
]
EVIL = '"<script>document.title=\\"pwned\\"</script><img src=x onerror=document.title=1>"'
FILES = {
    "ports/web.yaml": allocation(service="web", port=8080, protocol="[tcp, udp]"),
    "ports/x11.yaml": allocation(service="x11", port='"6000-6063"'),
    "ports/evil.yaml": allocation(service="evil", port=7000, description=EVIL),
    "ports/gone.yaml": allocation(
        service="gone", port=9000, status="retired", retired_on="2026-10-01"
    ),
}


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "no chromium on PATH (Debian package chromium; .ci/run installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


def _browse(tmp_path: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    profile.mkdir()
    command = [_chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("html")
    root = write_register(tmp / "reg", FILES)
    code, _, err = cli(
        "export", "--format", "html", "--output", str(tmp / "map.html"), "--root", str(root)
    )
    assert code == 0, err
    return tmp / "map.html"


def test_map_shows_the_allocated_blocks_with_no_console_output(page: Path) -> None:
    done = _browse(page.parent, page.as_uri(), "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert [line for line in done.stderr.splitlines() if "CONSOLE" in line] == []
    blocks = re.findall(r'class="block (\w+)" data-port="([0-9-]+)"', done.stdout)
    allocated = sorted(port for kind, port in blocks if kind == "allocated")
    # tcp strip: 6000-6063, 7000, 8080; udp strip: 8080; sctp strip: nothing
    assert allocated == ["6000-6063", "7000", "8080", "8080"]
    assert ("quarantined", "9000") in blocks
    assert ("reserved", "0-1023") in blocks
    assert "<title>Port register</title>" in done.stdout  # the injected script did not run
    assert "<img" not in done.stdout.split("<tbody>")[1]
    assert "&lt;script&gt;document.title" in done.stdout  # the description is shown as text


def test_search_box_filters_the_table(page: Path) -> None:
    done = _browse(page.parent, page.as_uri() + "#q=x11", "--dump-dom")
    rows = re.findall(r"<tr><td>([^<]*)</td>", done.stdout.split("<tbody>")[1])
    assert rows == ["x11"]
    assert re.search(r'<span id="count">1 of 4</span>', done.stdout)


def test_screenshot(page: Path) -> None:
    shot = page.parent / "map.png"
    done = _browse(page.parent, page.as_uri(), f"--screenshot={shot}", "--window-size=1280,900")
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.stat().st_size > 10_000
