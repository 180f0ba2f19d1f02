"""Uploads: type from content, safe names, size limit, content-addressed storage, clear errors."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from hardening.badinputs import demo_bytes, docx_xxe, encrypted_pdf, random_bytes, sample
from pipeline import limits, uploads
from pipeline.errors import ReportError
from pipeline.uploads import safe_name, store_upload


def stored(inbox: Path) -> list[str]:
    return sorted(p.name for p in inbox.iterdir())


@pytest.mark.parametrize(
    ("form", "name", "suffix"),
    [
        ("pdf", "年报.pdf", ".pdf"),
        ("docx", "年报.docx", ".docx"),
        ("html", "年报.htm", ".html"),
        ("text", "年报.txt", ".txt"),
        ("scraped", "年报.txt", ".txt"),
    ],
)
def test_reports_are_stored_under_their_hash_and_sniffed_suffix(tmp_path: Path, form: str, name: str, suffix: str) -> None:
    data = demo_bytes(form)
    path = store_upload(data, name, tmp_path / "inbox")
    assert path == tmp_path / "inbox" / f"{hashlib.sha256(data).hexdigest()}{suffix}"
    assert path.read_bytes() == data
    assert stored(tmp_path / "inbox") == [path.name], "no temporary file is left behind"


def test_markdown_keeps_its_form(tmp_path: Path) -> None:
    data = "| 信息内容 | 本年制发件数 |\n|---|---|\n| 规章 | 0 |\n".encode()
    assert store_upload(data, "kewei.md", tmp_path).suffix == ".md"


@pytest.mark.parametrize(
    ("form", "claimed", "suffix"),
    [
        ("pdf", "report.txt", ".pdf"),
        ("html", "report.pdf", ".html"),
        ("docx", "report.html", ".docx"),
        ("text", "report.docx", ".txt"),
    ],
)
def test_the_type_comes_from_the_content_not_the_extension(tmp_path: Path, form: str, claimed: str, suffix: str) -> None:
    assert store_upload(demo_bytes(form), claimed, tmp_path).suffix == suffix


def test_the_same_bytes_are_one_file_whatever_their_names(tmp_path: Path) -> None:
    first = store_upload(sample(), "a.txt", tmp_path)
    mtime = first.stat().st_mtime_ns
    again = store_upload(sample(), "其他名字.txt", tmp_path)
    assert again == first and stored(tmp_path) == [first.name]
    assert first.stat().st_mtime_ns == mtime, "not rewritten"


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\报告 2020.pdf", "报告 2020.pdf"),
        ("/abs/path/年报（2021）.docx", "年报(2021).docx"),  # NFKC: full-width brackets become ASCII
        ("..", "upload"),
        (".hidden.txt", "hidden.txt"),
        ("a\x00b\nc\u202e.txt", "abc.txt"),
        ("<script>alert(1)</script>.html", "script_.html"),
        ("ｒｅｐｏｒｔ．ｐｄｆ", "report.pdf"),
        ("", "upload"),
    ],
)
def test_names_are_sanitised(given: str, safe: str) -> None:
    assert safe_name(given) == safe


def test_long_names_keep_their_suffix() -> None:
    name = safe_name("报" * 300 + ".docx")
    assert len(name) == uploads.MAX_NAME_CHARS and name.endswith(".docx")


def test_a_hostile_name_never_leaves_the_inbox(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    path = store_upload(sample(), "../../../../tmp/evil.txt", inbox)
    assert path.parent == inbox and path.resolve().parent == inbox.resolve()
    assert stored(tmp_path) == ["inbox"]


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"", "empty.pdf", "empty file / 文件为空"),
        (b"  \n ", "blank.txt", "empty file / 文件为空"),
        (random_bytes(4096), "photo.pdf", "binary content|not text in any known encoding"),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(200), "report.pdf", "binary content"),
        (b"PK\x03\x04" + random_bytes(100), "report.docx", "broken zip container"),
        (b"MZ\x90\x00\x03" + bytes(100), "setup.exe", "binary content"),
    ],
)
def test_what_is_not_a_report_is_refused_with_its_reason(tmp_path: Path, data: bytes, name: str, reason: str) -> None:
    with pytest.raises(ReportError, match=reason) as caught:
        store_upload(data, name, tmp_path)
    assert caught.value.source == safe_name(name)
    assert not tmp_path.exists() or stored(tmp_path) == []


def test_a_zip_that_is_not_a_word_document_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ReportError, match="not a Word document"):
        store_upload(out.getvalue(), "book.docx", tmp_path)


def test_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(ReportError, match="文件过大") as caught:
        store_upload(b"x" * 1001, "big.txt", tmp_path)
    assert caught.value.reason == "file larger than 1000 bytes / 文件过大（上限 1000 bytes）"
    assert store_upload(b"x" * 1000, "ok.txt", tmp_path).exists()
    assert limits.MAX_UPLOAD_BYTES == 20 * 2**20


def test_readable_but_hostile_files_are_stored_and_left_to_ingest(tmp_path: Path) -> None:
    """Type and size are the upload's checks; a valid container with bad insides (an encrypted
    PDF, a DTD in a Word part) is stored, and ingest quarantines it with its reason."""
    assert store_upload(encrypted_pdf(), "locked.pdf", tmp_path).suffix == ".pdf"
    assert store_upload(docx_xxe(), "xxe.docx", tmp_path).suffix == ".docx"


def test_an_upload_ingests(tmp_path: Path) -> None:
    from pipeline.ingest import ingest
    from warehouse import store

    inbox = uploads.default_inbox(tmp_path / "wh")
    assert inbox == (tmp_path / "wh" / "inbox").resolve()
    good = store_upload(sample(), "孙家疃街道2020年报.txt", inbox)
    bad = store_upload(encrypted_pdf(), "locked.pdf", inbox)
    summary = ingest([good, bad], tmp_path / "wh", workers=1, progress=False)
    assert summary.ingested == [good]
    assert [(p, r) for p, r in summary.quarantined] == [(bad, "encrypted PDF (password required) / PDF 已加密")]
    with store.connect(tmp_path / "wh") as con:
        rows = con.sql("SELECT agency_name, year, source_file FROM reports").fetchall()
        assert rows == [("威海市环翠区孙家疃街道", 2020, good.name)]


def test_an_upload_ingest_refuses_removes_the_file_from_the_inbox_and_keeps_its_reason(tmp_path: Path) -> None:
    from pipeline.ingest import ingest
    from warehouse import store

    inbox = uploads.default_inbox(tmp_path / "wh")
    good = store_upload(sample(), "年报.txt", inbox)
    bad = store_upload(encrypted_pdf(), "locked.pdf", inbox)
    elsewhere = tmp_path / "mine" / "locked.pdf"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(encrypted_pdf() + b"\n")
    summary = ingest([good, bad, elsewhere], tmp_path / "wh", workers=1, progress=False)
    assert sorted(p.name for p, _reason in summary.quarantined) == sorted(["locked.pdf", bad.name])
    assert stored(inbox) == [good.name], "a refused upload does not stay in the inbox"
    assert elsewhere.exists(), "files outside the inbox are the user's and are never removed"
    with store.connect(tmp_path / "wh") as con:
        assert sorted(con.sql("SELECT source_file FROM quarantine").fetchall()) == sorted([("locked.pdf",), (bad.name,)])


@pytest.mark.parametrize(("kind", "suffix"), [("PNG", ".png"), ("JPEG", ".jpg")])
def test_a_scanned_page_as_an_image_is_stored_for_ocr(tmp_path: Path, kind: str, suffix: str) -> None:
    """Scans arrive as pictures too (issue 15): stored under their own type, whatever they are called."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (64, 32), 255).save(buffer, kind)
    data = buffer.getvalue()
    path = store_upload(data, "扫描件.pdf", tmp_path / "inbox")
    assert path.name == f"{hashlib.sha256(data).hexdigest()}{suffix}"
