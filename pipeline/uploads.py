"""Files uploaded in the browser: checked, named safely, stored content-addressed in an inbox.

`store_upload(data, filename, inbox)` is all the dashboard's upload page needs before it
hands the stored paths to `pipeline.ingest.ingest` (which parses in worker processes under
the time and memory limits of `pipeline.limits`). It trusts nothing the browser sends:

- the **type** is sniffed from the content (`pipeline.readers.sniff`: `%PDF`, a zip with
  `word/document.xml`, HTML tags, decodable text), never taken from the extension; the
  stored suffix is the sniffed type's (`.pdf .docx .html .md .txt`), so a PDF uploaded as
  `report.txt` is stored and read as a PDF;
- the **name** is only ever used sanitised (`safe_name`: no folders, no control or
  reserved characters, at most 100 characters) — in error messages and for display;
- the **size** is capped at `limits.MAX_UPLOAD_BYTES` (20 MiB);
- the file is stored as `<inbox>/<sha256><suffix>`, written to a temporary name and renamed
  into place, so the same bytes uploaded twice (under any names) are one file, and a
  half-written upload is never visible to an ingest.

Anything refused raises `ReportError(safe_name, reason)` with the reason in English and
Chinese. A stored upload that ingest then quarantines is removed from the inbox by that ingest
(`discard_refused`): its reason stays in the warehouse's `quarantine` table, and the inbox
holds only what the warehouse holds. No Streamlit import: this module is plain Python and tested as such.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import uuid
import zipfile
from pathlib import Path

from pipeline.errors import ReportError
from pipeline.limits import MAX_UPLOAD_BYTES
from pipeline.readers import sniff
from pipeline.readers.decode import decode_text

#: The suffix each sniffed form is stored under; ingest reads the file by its content anyway.
SUFFIX = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "markdown": ".md", "text": ".txt"}
MAX_NAME_CHARS = 100
#: Characters kept in a name: letters and digits of any script, CJK punctuation that names use, . _ - ( ) space.
UNSAFE = re.compile(r"[^\w.\-()（）【】《》、，\u3000 ]")
#: Bytes that never occur in a text report (NUL and the C0 controls other than tab, newlines, form feed).
BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def safe_name(filename: str) -> str:
    """A display name that is safe anywhere: the last path component, NFKC, no control or
    reserved characters, no leading dots, at most MAX_NAME_CHARS (the suffix kept)."""
    name = unicodedata.normalize("NFKC", str(filename)).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = UNSAFE.sub("_", name).strip().lstrip(".").strip()
    if len(name) > MAX_NAME_CHARS:
        stem, dot, suffix = name.rpartition(".")
        suffix = dot + suffix if dot and len(suffix) <= 10 else ""
        name = name[: MAX_NAME_CHARS - len(suffix)] + suffix
    return name or "upload"


def default_inbox(warehouse: str | os.PathLike[str] | None = None) -> Path:
    """Where uploads wait to be ingested: `<warehouse>/inbox/`."""
    from warehouse.settings import warehouse_dir

    return warehouse_dir(warehouse) / "inbox"


def upload_form(data: bytes, name: str) -> str:
    """The report form of the uploaded bytes, from their content; ReportError where none fits."""
    if not data.strip():
        raise ReportError(name, "empty file / 文件为空")
    if len(data) > MAX_UPLOAD_BYTES:
        limit = f"{MAX_UPLOAD_BYTES // 2**20} MiB" if MAX_UPLOAD_BYTES >= 2**20 else f"{MAX_UPLOAD_BYTES} bytes"
        raise ReportError(name, f"file larger than {limit} / 文件过大（上限 {limit}）")
    form = sniff(data, name)
    if form == "docx":
        _check_word(data, name)
    elif form in ("text", "markdown", "html"):
        if not data.startswith(UTF16_BOMS) and BINARY.search(data[: 1 << 20]):
            raise ReportError(name, "binary content: not a report (PDF, Word, HTML or text) / 不是报告文件（二进制内容）")
        decode_text(data, name)  # raises where the bytes are text in no known encoding
    return form


def _check_word(data: bytes, name: str) -> None:
    """A zip is accepted only as a Word document (word/document.xml), not as any archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise ReportError(name, f"broken zip container ({exc}) / 压缩包已损坏") from None
    if "word/document.xml" not in names:
        raise ReportError(name, "zip without word/document.xml: not a Word document / 不是 Word 文档")


def store_upload(data: bytes, filename: str, inbox: Path) -> Path:
    """Check one uploaded file and store it as `<inbox>/<sha256><suffix>`; returns that path.

    Idempotent: the same bytes return the same path and are written once.
    """
    name = safe_name(filename)
    form = upload_form(data, name)
    inbox = Path(inbox)
    inbox.mkdir(parents=True, exist_ok=True)
    target = inbox / f"{hashlib.sha256(data).hexdigest()}{SUFFIX[form]}"
    if target.is_file() and target.stat().st_size == len(data):
        return target
    tmp = inbox / f".upload-{uuid.uuid4().hex}.part"  # hidden: ingest never walks it
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def discard_refused(paths: list[Path], inbox: Path) -> None:
    """Remove the refused files that are uploads waiting in `inbox`; files anywhere else are
    the user's own and are never touched."""
    inbox = Path(inbox).resolve()
    for path in paths:
        if Path(path).resolve().parent == inbox:
            Path(path).unlink(missing_ok=True)
