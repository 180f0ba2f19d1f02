"""导入: upload reports in the browser; they are ingested and appear on every page without a restart.

Viewing needs no sign-in; importing does, with the password in st.secrets (upload_password).
"""

import streamlit as st

from pages.ui import signin, upload
from pages.ui.formats import escape_markdown

st.title("导入报告")
if signin.upload_password() is None:
    st.info(
        "导入功能尚未启用。请在运行目录的 `.streamlit/secrets.toml` 中设置导入密码，然后刷新本页：\n\n"
        "```toml\nupload_password = \"请换成足够长的密码\"\n```\n\n"
        "浏览数据不需要登录；只有导入报告需要密码。也可以在命令行导入：`python -m pipeline ingest 文件或目录`。"
    )
    st.stop()
if not signin.signed_in():
    st.stop()

files = st.file_uploader("选择报告文件（PDF、DOCX、HTML、TXT、Markdown，可多选）", type=upload.UPLOAD_TYPES,
                         accept_multiple_files=True, key="uploads")  # fmt: skip
if files and st.button("导入", type="primary", icon=":material/upload:"):
    try:
        with st.spinner(f"正在解析并导入 {len(files)} 个文件…"):
            summary, refused = upload.ingest_uploads(files)
    except upload.ImportFailed as failed:
        st.error(str(failed))
        st.stop()
    for name, reason in refused:
        st.warning(f"{escape_markdown(name)}：未导入，{escape_markdown(reason)}")
    if summary is not None:
        counts = summary.counts
        st.success(f"新导入 {counts['ingested']} 份，替换 {counts['replaced']} 份，未变 {counts['unchanged']} 份，"
                   f"隔离 {counts['quarantined']} 份。新数据已可在各页面查看。")  # fmt: skip
        for path, reason in summary.quarantined:
            st.warning(f"{escape_markdown(path.name)}：{escape_markdown(reason)}")
