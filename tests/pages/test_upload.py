"""导入: closed until a password is configured, open after sign-in, and imported reports show without a restart."""

from __future__ import annotations

import pytest

from conftest import corpus_file

PASSWORD = "长密码-for-tests"


def _upload_page(at, secrets: dict | None = None):
    at.secrets.update(secrets or {})
    at.run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_without_a_secret_the_page_explains_how_to_enable_import(dashboard, tmp_path):
    at = _upload_page(dashboard(tmp_path / "wh"))
    assert any("secrets.toml" in i.value and "upload_password" in i.value for i in at.info)
    assert not at.file_uploader and not at.text_input


def test_a_wrong_password_is_refused(dashboard, tmp_path):
    at = _upload_page(dashboard(tmp_path / "wh"), {"upload_password": PASSWORD})
    assert not at.file_uploader
    at.text_input[0].input("猜的")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["密码不正确。"]
    assert not at.file_uploader


def test_viewing_needs_no_sign_in(dashboard, tmp_path):
    at = dashboard(tmp_path / "wh")
    at.secrets["upload_password"] = PASSWORD
    at.run()
    assert [t.value for t in at.title] == ["概览"] and not at.text_input


def test_an_uploaded_report_appears_without_a_restart(dashboard, tmp_path):
    seed = corpus_file("seed_sunjiatuan_2020.txt")
    at = _upload_page(dashboard(tmp_path / "wh"), {"upload_password": PASSWORD})
    at.text_input[0].input(PASSWORD)
    at.button[0].click().run()
    assert not at.error
    at.file_uploader(key="uploads").upload(seed.name, seed.read_bytes(), "text/plain").run()
    next(b for b in at.button if b.label == "导入").click().run()  # the button appears once a file is chosen
    assert not at.exception, [e.message for e in at.exception]
    assert any("新导入 1 份" in s.value for s in at.success)
    at.switch_page("pages/overview.py").run()
    assert any(c.value == "仓库共 1 份报告" for c in at.sidebar.caption)
    assert at.sidebar.selectbox(key="province").options == ["山东省"]


@pytest.mark.parametrize("name", ["report.exe", "../../escape.txt"])
def test_uploads_are_checked_by_content_and_stay_in_the_inbox(tmp_path, monkeypatch, name):
    from pages.ui import upload

    class Upload:
        def __init__(self, name: str, data: bytes) -> None:
            self.name, self.data = name, data

        def getvalue(self) -> bytes:
            return self.data

    monkeypatch.setenv("XXGK_WAREHOUSE", str(tmp_path / "wh"))
    summary, refused = upload.ingest_uploads([Upload(name, b"\x00\x01 not a report")])
    assert summary is None and len(refused) == 1 and "/" not in refused[0][0]
    seed = corpus_file("seed_sunjiatuan_2020.txt").read_bytes()
    summary, refused = upload.ingest_uploads([Upload(name, seed)])
    saved = [p for p in (tmp_path / "wh" / "inbox").iterdir() if not p.name.startswith(".")]
    assert refused == [] and summary.counts["ingested"] == 1
    assert [p.parent for p in saved] == [tmp_path / "wh" / "inbox"] and not (tmp_path / "escape.txt").exists()
