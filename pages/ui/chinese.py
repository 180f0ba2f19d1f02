"""Chinese for the few words Streamlit's own widgets print in English (the file uploader's "Upload" button
and "20MB per file" line, the status corner's "Stop" while a page runs and "Connecting"/"Error" while the
server is away), and metric cards that wrap instead of cutting a long figure.

Streamlit has no setting for these texts, so a stylesheet hides them and shows Chinese in their
place; the control itself is untouched (it still opens the file chooser and takes dropped files).
"""

from __future__ import annotations

import streamlit as st

STYLE = """
<style>
[data-testid="stFileUploaderDropzoneInstructions"] > div > * { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::before {
    content: "将文件拖放到此处"; display: block; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {
    content: "每个文件不超过 20 MB（PDF、DOCX、HTML、TXT、Markdown）"; display: block; font-size: 0.85em; opacity: 0.7; }
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"] { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"]::after {
    content: "选择文件"; font-size: 0.875rem; }
[data-testid="stStatusWidget"] button { font-size: 0; }
[data-testid="stStatusWidget"] button::after { content: "停止"; font-size: 0.875rem; }
[data-testid="stStatusWidget"] button:disabled::after { content: "正在停止…"; }
[data-testid="stConnectionStatus"] label { font-size: 0; }
[data-testid="stConnectionStatus"] label::after { content: "与服务器的连接"; font-size: 0.875rem; }
[data-testid="stMetricValue"] > div, [data-testid="stMetricLabel"] * {
  overflow: visible; white-space: normal; text-overflow: clip; }
[data-testid="stMetricValue"] { font-size: 1.6rem; }
</style>
"""


def widget_texts() -> None:
    """Put the Chinese texts in place on every page (called once by app.py)."""
    st.html(STYLE)
