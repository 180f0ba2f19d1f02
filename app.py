"""xxgk dashboard: the router and the filter frame every page shares.

Run with `python app.py [streamlit options]` (what `make run` does); the warehouse is
$XXGK_WAREHOUSE (or the per-user default). `streamlit run app.py` works too, except that the
first deep link after a restart meets Streamlit's legacy pages-folder mode (see `_serve`).
Pages live in pages/; each URL path differs from its file name because Streamlit's AppTest
confuses a page whose path equals a file in pages/ with the legacy pages-folder page of that name.

This file is the one place that wires the pipeline into the dashboard: it lends the
readers to `warehouse.sources`, so pages show a report's text without importing them.
"""

import sys
from pathlib import Path

import streamlit as st

from pages.ui import chinese, connection, controls
from pipeline.errors import ReportError
from pipeline.readers import read_file
from warehouse import sources


def _decode(path: Path) -> str | None:
    """A source file's text as the pipeline reads it, for reports whose text the ingest did not save."""
    try:
        return read_file(path).text()
    except (ReportError, OSError):
        return None


sources.use_decoder(_decode)


def _serve() -> None:
    """`python app.py`: start the server with deep links working from a cold start.

    With a folder named `pages/` beside the entry script, Streamlit runs the first session of a
    fresh server in its legacy folder mode, which answers a deep link (`/data-quality`) with a
    "Page not found" dialog before this file's st.navigation takes over. Every page here is
    routed by st.navigation, so the legacy mode is switched off before the server starts.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", __file__, *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__" and not st.runtime.exists():
    _serve()

# No page_icon: a Material icon there makes the browser fetch its SVG from the internet; the
# built-in favicon is served locally, so the dashboard works on a closed network.
st.set_page_config(page_title="政府信息公开年报分析", layout="wide")
chinese.widget_texts()

PAGES = {
    "总览": [
        st.Page("pages/overview.py", title="概览", icon=":material/dashboard:", url_path="home", default=True),
        st.Page("pages/channels.py", title="公开渠道", icon=":material/campaign:", url_path="channel-mix"),
        st.Page("pages/requests.py", title="依申请公开", icon=":material/inbox:", url_path="requests-handling"),
        st.Page("pages/procurement.py", title="采购与收费", icon=":material/payments:", url_path="procurement-fees"),
        st.Page("pages/reviews.py", title="复议诉讼", icon=":material/gavel:", url_path="review-litigation"),
    ],
    "单位与对比": [
        st.Page("pages/agency.py", title="单位画像", icon=":material/apartment:", url_path="body-profile"),
        st.Page("pages/compare.py", title="对比", icon=":material/compare_arrows:", url_path="comparison"),
        st.Page("pages/coverage.py", title="报告覆盖", icon=":material/grid_on:", url_path="report-coverage"),
    ],
    "数据": [
        st.Page("pages/quality.py", title="数据质量", icon=":material/rule:", url_path="data-quality"),
        st.Page("pages/upload.py", title="导入", icon=":material/upload_file:", url_path="import"),
        st.Page("pages/metrics_help.py", title="指标说明", icon=":material/menu_book:", url_path="metric-guide"),
    ],
}

navigation = st.navigation(PAGES)
with connection.guarded():  # a damaged warehouse is a Chinese message, never a traceback
    controls.filter_frame(connection.connection(announce=True))
    controls.follow_drilldown()
    navigation.run()
