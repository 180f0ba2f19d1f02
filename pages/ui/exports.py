"""Download buttons for the 审查意见 and the 通报, each as .xlsx and .docx, generated only when clicked."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pages.exports import documents
from pages.exports.documents import Document


def document_buttons(make: Callable[[], Document], file_stem: str, key: str) -> None:
    """Two buttons, Excel and Word; the document is built when one is clicked (deferred download)."""
    excel, word = st.columns(2)
    excel.download_button("下载 Excel", lambda: documents.to_xlsx(make()), file_name=f"{file_stem}.xlsx",
                          mime=documents.XLSX_MIME, key=f"xlsx-{key}", icon=":material/table_view:",
                          on_click="ignore")  # fmt: skip
    word.download_button("下载 Word", lambda: documents.to_docx(make()), file_name=f"{file_stem}.docx",
                         mime=documents.DOCX_MIME, key=f"docx-{key}", icon=":material/description:",
                         on_click="ignore")  # fmt: skip
