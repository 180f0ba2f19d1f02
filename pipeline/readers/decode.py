"""Bytes to text for the text-based forms: UTF-8 (with or without BOM), UTF-16, GB18030."""

from __future__ import annotations

from charset_normalizer import from_bytes

from pipeline.errors import ReportError

#: The byte-order marks of UTF-16 (a file saved as "Unicode"), little- and big-endian.
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(data: bytes, source: str) -> str:
    """Decode report text; government sites still publish GBK/GB2312 next to UTF-8."""
    if data.startswith(UTF16_BOMS):
        return data.decode("utf-16", errors="replace")  # a cut or damaged file still reads, as far as it goes
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        best = from_bytes(data[: 1 << 20]).best()
        if best is None:
            raise ReportError(source, "not text in any known encoding / 无法识别的文本编码") from None
        return str(best)
