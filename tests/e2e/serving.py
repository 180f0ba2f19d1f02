"""What every browser test shares: the dashboard served by `python app.py` on a free port, and waiting
for a page to finish. Each module keeps its own server fixture (which warehouse, which secrets); the
`browser` fixture is in conftest.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from dashboard_fixtures import REPO

CHROMIUM = "/usr/bin/chromium"
#: Seconds a page may take to show its content on a loaded 2-core machine.
PAGE_TIMEOUT_MS = 90_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(root: Path, folder: Path, *options: str) -> tuple[subprocess.Popen, str]:
    """`python app.py` on the warehouse `root` (log in `folder`); the process and its address once healthy."""
    port = _free_port()
    command = [sys.executable, "app.py", "--server.headless", "true", "--server.port", str(port),
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *options]  # fmt: skip
    with open(folder / "streamlit.log", "w") as log:
        process = subprocess.Popen(command, cwd=REPO, env=os.environ | {"XXGK_WAREHOUSE": str(root)}, stdout=log,
                                   stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):  # the health endpoint answers once the server is up; between tries, the process must live
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).status == 200:
                return process, base
        except OSError:
            try:
                process.wait(timeout=0.3)
                break  # the server exited
            except subprocess.TimeoutExpired:
                continue
    stop_server(process)
    pytest.fail(f"streamlit did not start (log: {folder / 'streamlit.log'})")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=20)


def settle(page, title: str) -> None:
    """Wait until the page shows its title and Streamlit has finished running the script, without an error."""
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=PAGE_TIMEOUT_MS)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=PAGE_TIMEOUT_MS,
    )
    assert page.locator('[data-testid="stException"]').count() == 0
