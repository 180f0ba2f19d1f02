"""The worker pool: progress from inside a file renews its time allowance; silence does not."""

from __future__ import annotations

import pytest

from pipeline import limits, progress
from pipeline.pool import run_pool


def test_a_step_reaches_the_listener_and_without_one_costs_nothing() -> None:
    progress.step("OCR", 1, 3)  # nobody listens yet: nothing happens
    heard: list[progress.Step] = []
    progress.listen(heard.append)
    try:
        progress.step("OCR", 2, 3)
    finally:
        progress.listen(lambda step: None)
    assert heard == [progress.Step("OCR", 2, 3)]


@pytest.mark.slow  # waits out a time limit by design
def test_a_file_that_reports_progress_may_outlast_the_limit_but_not_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    """Five steps of 1 s each against a 3 s allowance: the whole file takes longer than the
    allowance, but each step renews it; after the last step, silence is a hang again."""
    from hardening.workloads import steps_then_hang

    monkeypatch.setattr(limits, "PARSE_SECONDS", 3.0)
    results = list(
        run_pool(steps_then_hang, ["scan", "hang"], workers=2, progress=False, desc="test",
                 failed=lambda task, reason: (task, reason))
    )
    assert sorted(results, key=str) == [("hang", "parse time limit exceeded / 解析超时 (3 s)"), "SCAN"]


def test_a_worker_never_runs_the_starting_program(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under the dashboard `__main__` is the running page script; a worker must not import it again."""
    import sys
    import types

    from hardening.workloads import echo_or_die

    marker = tmp_path / "page-ran"
    page = tmp_path / "page.py"
    page.write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    script = types.ModuleType("__main__")
    script.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", script)
    assert list(run_pool(echo_or_die, ["a"], workers=1, progress=False, desc="test")) == ["A"]
    assert not marker.exists()
