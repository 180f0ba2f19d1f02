"""The writer lock: it names its holder, and a second writer waits only as long as it is told."""

from __future__ import annotations

import os

import pytest

from warehouse import settings
from warehouse.errors import LockTimeout
from warehouse.lock import writer_lock


def test_the_lock_names_its_holder_and_a_second_writer_gives_up_after_its_timeout(tmp_path):
    me = str(os.getpid())
    with writer_lock(tmp_path):
        assert (tmp_path / ".lock").read_text(encoding="utf-8").strip() == me
        said: list[str] = []
        with (
            pytest.raises(LockTimeout, match=f"another ingest \\(pid {me}\\) still holds"),
            writer_lock(tmp_path, timeout=0, waiting=said.append),
        ):
            pass
        assert len(said) == 1 and said[0].startswith(f"waiting for another ingest (pid {me})")
    assert (tmp_path / ".lock").read_text(encoding="utf-8") == "", "released: no holder named"
    with writer_lock(tmp_path, timeout=0):
        pass


def test_the_lock_timeout_is_override_then_environment_then_600_seconds(monkeypatch):
    monkeypatch.setenv(settings.LOCK_TIMEOUT_ENV, "30")
    assert settings.lock_timeout(5) == 5.0
    assert settings.lock_timeout() == 30.0
    monkeypatch.delenv(settings.LOCK_TIMEOUT_ENV)
    assert settings.lock_timeout() == settings.DEFAULT_LOCK_TIMEOUT == 600.0
    monkeypatch.setenv(settings.LOCK_TIMEOUT_ENV, "soon")
    with pytest.raises(ValueError, match="XXGK_LOCK_TIMEOUT='soon' is not a number of seconds"):
        settings.lock_timeout()
