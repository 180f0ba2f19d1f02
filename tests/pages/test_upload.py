"""导入: closed until a password is configured, open after sign-in, and imported reports show without a restart."""

from __future__ import annotations

import re

import pytest

from conftest import corpus_file

PASSWORD = "长密码-for-tests"


def shown(element) -> str:
    """An element's text as the viewer reads it: Markdown escapes (names are escaped, being data) undone."""
    return re.sub(r"\\(.)", r"\1", element.value)


def shown_label(button) -> str:
    """A button's label as the viewer reads it (labels parse Markdown too)."""
    return re.sub(r"\\(.)", r"\1", button.label)


def _upload_page(at, secrets: dict | None = None):
    at.secrets.update(secrets or {})
    at.run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_without_a_secret_the_page_explains_how_to_enable_import(dashboard, tmp_path):
    at = _upload_page(dashboard(tmp_path / "wh"))
    assert any("secrets.toml" in i.value and "upload_password" in i.value for i in at.info)
    assert not at.file_uploader and not at.main.text_input


def test_a_wrong_password_is_refused(dashboard, tmp_path):
    at = _upload_page(dashboard(tmp_path / "wh"), {"upload_password": PASSWORD})
    assert not at.file_uploader
    at.main.text_input[0].input("猜的")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["密码不正确。"]
    assert not at.file_uploader


def test_viewing_needs_no_sign_in(dashboard, tmp_path):
    at = dashboard(tmp_path / "wh")
    at.secrets["upload_password"] = PASSWORD
    at.run()
    assert [t.value for t in at.title] == ["概览"] and not at.main.text_input


def _signed_in(dashboard, root):
    at = _upload_page(dashboard(root), {"upload_password": PASSWORD})
    at.main.text_input[0].input(PASSWORD)
    at.button[0].click().run()
    assert not at.error
    return at


def _import(at, name: str, data: bytes):
    at.file_uploader(key="uploads").upload(name, data, "text/plain").run()
    next(b for b in at.button if b.label == "导入").click().run()  # the button appears once a file is chosen
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_an_uploaded_report_appears_without_a_restart(dashboard, tmp_path):
    seed = corpus_file("seed_sunjiatuan_2020.txt")
    at = _import(_signed_in(dashboard, tmp_path / "wh"), "孙家疃 2020 年报.txt", seed.read_bytes())
    assert [shown(s) for s in at.success] == ["已导入「孙家疃 2020 年报.txt」：威海市环翠区孙家疃街道 2020年度报告。"]
    assert any(c.value == "仓库共 1 份报告" for c in at.sidebar.caption), "the sidebar count follows at once"
    at.switch_page("pages/overview.py").run()
    assert at.sidebar.selectbox(key="province").options == ["山东省"]
    at.switch_page("pages/agency.py").run()
    assert not at.exception


def test_a_corrected_report_replaces_the_earlier_one_after_confirmation(dashboard, tmp_path):
    seed = corpus_file("seed_sunjiatuan_2020.txt").read_bytes()
    at = _import(_signed_in(dashboard, tmp_path / "wh"), "原版.txt", seed)
    at = _import(at, "更正版.txt", seed + "\n（更正）\n".encode())
    asked = [shown(w) for w in at.warning if "替换" in w.value]
    assert asked and "「更正版.txt」与已有的「原版.txt」都是威海市环翠区孙家疃街道 2020年度报告" in asked[0]
    assert any(c.value == "仓库共 2 份报告" for c in at.sidebar.caption), "both are kept until the user confirms"
    next(b for b in at.button if shown_label(b) == "用「更正版.txt」替换「原版.txt」").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert [shown(s) for s in at.success] == ["已用「更正版.txt」替换「原版.txt」（威海市环翠区孙家疃街道 2020年度）。"]
    assert any(c.value == "仓库共 1 份报告" for c in at.sidebar.caption)
    assert not [w.value for w in at.warning if "替换" in w.value]


def test_a_refused_file_is_named_as_uploaded(dashboard, tmp_path):
    at = _import(_signed_in(dashboard, tmp_path / "wh"), "扫描件.txt", b"\x00\x01 not a report")
    assert [w.value for w in at.warning][:1] and "「扫描件.txt」未导入" in shown(at.warning[0])


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
