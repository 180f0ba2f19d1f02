"""导入: upload reports in the browser; they are ingested and appear on every page without a restart.

Viewing needs no sign-in; importing does, with the password in st.secrets (upload_password).
Every message names the file as the user uploaded it and the body and year imported; a
report for a body and year that already has one is kept beside it until the user confirms
that the new file replaces the earlier one.
"""

import streamlit as st

from pages.ui import connection, signin, upload
from pages.ui.formats import escape_markdown
from warehouse.imports import imported, uploaded_names

RESULT, PENDING = "_import_messages", "_import_pending"

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


def _describe(summary, refused: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[dict]]:
    """Messages (kind, text) about each file by the user's name, and the replacements to confirm;
    names, bodies and reasons come escaped, since messages render Markdown."""
    names = uploaded_names()
    name = lambda path: escape_markdown(names.get(path.name, path.name))  # noqa: E731
    e = escape_markdown
    messages = [("warning", f"「{e(file)}」未导入：{e(reason)}") for file, reason in refused]
    pending: list[dict] = []
    if summary is None:
        return messages, pending
    messages += [("warning", f"「{name(path)}」未能导入：{e(reason)}") for path, reason in summary.quarantined]
    messages += [("info", f"「{name(path)}」与已导入的文件内容相同，未重复导入。") for path in summary.unchanged]
    new = {path.stem: name(path) for path in summary.ingested + summary.replaced}
    for row in imported(connection.connection(), list(new)).to_dicts():
        messages.append(("success", f"已导入「{new[row['report_id']]}」：{e(row['agency_name'])} {row['year']}年度报告。"))
        for old_id, old_file in zip(row["others"] or [], row["other_files"] or [], strict=False):
            pending.append({"new": new[row["report_id"]], "old_id": old_id, "old": e(names.get(old_file, old_file)),
                            "body": e(row["agency_name"]), "year": row["year"]})  # fmt: skip
    return messages, pending


files = st.file_uploader("选择报告文件（PDF、DOCX、HTML、TXT、Markdown，或 PNG/JPEG 扫描件，可多选）", type=upload.UPLOAD_TYPES,
                         accept_multiple_files=True, key="uploads")  # fmt: skip
if files and st.button("导入", type="primary", icon=":material/upload:"):
    try:
        with st.spinner(f"正在解析并导入 {len(files)} 个文件…"):
            summary, refused = upload.ingest_uploads(files)
    except upload.ImportFailed as failed:
        st.error(str(failed))
        st.stop()
    st.session_state[RESULT], st.session_state[PENDING] = _describe(summary, refused)
    st.rerun()  # the sidebar's report count and every page read the new snapshot

for kind, text in st.session_state.get(RESULT, []):
    getattr(st, kind)(text)
for index, item in enumerate(st.session_state.get(PENDING, [])):
    st.warning(f"「{item['new']}」与已有的「{item['old']}」都是{item['body']} {item['year']}年度报告，目前两份都保留。"
               f"如果「{item['new']}」是更正后的报告，可以用它替换「{item['old']}」。")  # fmt: skip
    replace, keep = st.columns(2)
    if replace.button(f"用「{item['new']}」替换「{item['old']}」", key=f"replace-{index}", type="primary"):
        try:
            with st.spinner("正在替换…"):
                upload.retire([item["old_id"]])
        except upload.ImportFailed as failed:
            st.error(str(failed))
            st.stop()
        st.session_state[PENDING] = [p for p in st.session_state[PENDING] if p is not item]
        done = f"已用「{item['new']}」替换「{item['old']}」（{item['body']} {item['year']}年度）。"
        st.session_state[RESULT] = [("success", done)]
        st.rerun()
    if keep.button("两份都保留", key=f"keep-{index}"):
        st.session_state[PENDING] = [p for p in st.session_state[PENDING] if p is not item]
        st.rerun()
