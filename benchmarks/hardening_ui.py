"""Dashboard hardening figures: hostile report text on screen and in downloads, and password guessing.

1. A warehouse whose bodies, places, files and findings carry hostile text (Markdown images
   and links, raw HTML, bare URLs, spreadsheet formulas: tests/hostile_fixtures.py) is shown
   page by page under Streamlit's AppTest; every Markdown-rendered element holding that text
   is scanned for live markup, and every CSV a download button offers for formula-leading
   text cells.
2. The sign-in throttle (pages/ui/signin.py) on a simulated clock: attempts a client gets
   before it must wait, and how many guesses one client, or any number of clients together,
   can make in an hour when they retry the moment they are allowed.

    python benchmarks/hardening_ui.py     # ~1 minute on 2 cores; benchmarks/hardening.py calls main()
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for folder in (str(ROOT / "tests"), str(ROOT)):
    if folder not in sys.path:
        sys.path.insert(0, folder)

HOUR = 3600.0


def hostile_pages() -> tuple[int, int, int, int]:
    """Render every page on the hostile warehouse: (texts with hostile text, inert ones, CSV files, live formula cells)."""
    import polars as pl
    from hostile_fixtures import (
        HOSTILE_NAMES,
        hostile_rendered,
        hostile_warehouse,
        live_formula,
        markdown_texts,
    )
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.testing.v1 import AppTest

    from dashboard_fixtures import PAGES
    from warehouse.regions import agency_id

    offered: list[bytes] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def capture(self, data, mimetype, kind, filename=None):
        if mimetype == "text/csv":
            offered.append(data)
        return original(self, data, mimetype, kind, filename)

    MemoryMediaFileStorage.load_and_get_id = capture
    views = [(page, {}) for page in PAGES] + [("pages/agency.py", {"agency": agency_id(HOSTILE_NAMES[0])}),
                                              ("pages/overview.py", {"measure": "实质公开率", "by": "按单位"})]  # fmt: skip
    rendered = inert = 0
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XXGK_WAREHOUSE"] = str(hostile_warehouse(Path(folder) / "wh"))
        try:
            for page, query in views:
                at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
                at.query_params.update(query)
                at.run()
                if page != "pages/overview.py":
                    at.switch_page(page).run()
                shown, safe = hostile_rendered(markdown_texts(at))
                rendered, inert = rendered + shown, inert + safe
        finally:
            MemoryMediaFileStorage.load_and_get_id = original
    live = 0
    for data in offered:
        frame = pl.read_csv(io.BytesIO(data[3:]), infer_schema_length=0)  # every cell as text, as written
        live += sum(1 for column in frame.columns for cell in frame[column].drop_nulls()
                    if live_formula(cell))  # fmt: skip
    return rendered, inert, len(offered), live


def guesses_in_an_hour(clients: int) -> tuple[int, int]:
    """(attempts checked before the first refusal, attempts checked in an hour) for `clients`
    attackers taking turns, each retrying the moment the throttle lets it."""
    from pages.ui.signin import Throttle

    now = [0.0]
    throttle = Throttle(lambda: now[0])
    checked, before_lock = 0, None
    while now[0] < HOUR:
        waits = [throttle.wait(f"attacker-{n}") for n in range(clients)]
        ready = [n for n, wait in enumerate(waits) if wait == 0]
        if not ready:
            before_lock = checked if before_lock is None else before_lock
            now[0] += min(waits)
            continue
        throttle.failed(f"attacker-{ready[0]}")
        checked += 1
        now[0] += 0.02  # 50 guesses a second: faster than the 300 in 7 s the issue measured
    return (checked if before_lock is None else before_lock), checked


def main() -> None:
    rendered, inert, files, live = hostile_pages()
    print(f"hostile names rendered: {rendered}, inert: {inert}")
    print(f"CSV downloads offered: {files}, formula-leading text cells left live: {live}")
    first, one_hour = guesses_in_an_hour(1)
    print(f"sign-in attempts before lockout: {first}")
    print(f"guesses one client gets checked in an hour: {one_hour}")
    for clients in (10, 1000):
        first, one_hour = guesses_in_an_hour(clients)
        print(f"guesses {clients} clients together get checked: {first} before the global lock, {one_hour} in an hour")


if __name__ == "__main__":
    main()
