"""Uploaded files checked, stored content-addressed and ingested into a new snapshot."""

from __future__ import annotations

import errno
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from pipeline.errors import ReportError
from pipeline.ingest import ingest
from pipeline.uploads import default_inbox, safe_name, store_upload
from warehouse import settings, store
from warehouse.imports import remember_name

LOG = logging.getLogger(__name__)

UPLOAD_TYPES = ["pdf", "docx", "html", "htm", "txt", "md", "png", "jpg", "jpeg"]

NOT_WRITABLE = "导入未完成：数据仓库所在的文件夹没有写入权限（或是只读的）。已发布的数据不受影响；请管理员检查文件夹权限后重试。"
DISK_FULL = "导入未完成：磁盘空间不足。已发布的数据不受影响；请管理员清理磁盘空间后重试。"
WRITE_FAILED = "导入未完成：写入数据仓库时出错。已发布的数据不受影响；详细原因已记入服务器日志。"
DAMAGED = "导入未完成：数据仓库已损坏。请管理员按 README「备份与恢复」从备份恢复后重试；详细原因已记入服务器日志。"
_BY_ERRNO = {errno.EACCES: NOT_WRITABLE, errno.EPERM: NOT_WRITABLE, errno.EROFS: NOT_WRITABLE,
             errno.ENOSPC: DISK_FULL, errno.EDQUOT: DISK_FULL}  # fmt: skip
_DAMAGED_ERRORS = tuple(e for e in (getattr(store, "WarehouseDamaged", None),) if e is not None)


class ImportFailed(Exception):
    """An import that could not be written; the message is for viewers (Chinese, no server path)."""


@contextmanager
def _told_plainly() -> Iterator[None]:
    """A failed write (read-only folder, full disk) or a damaged warehouse as one Chinese sentence;
    the error itself, with its paths, goes to the server log only."""
    try:
        yield
    except _DAMAGED_ERRORS as error:
        LOG.error("import refused: %s", error, exc_info=error)
        raise ImportFailed(DAMAGED) from None
    except OSError as error:
        LOG.error("import failed: %s", error, exc_info=error)
        raise ImportFailed(_BY_ERRNO.get(error.errno, WRITE_FAILED)) from None


def ingest_uploads(files: list) -> tuple[object, list[tuple[str, str]]]:
    """Check, store (content-addressed) and ingest uploaded files; returns the ingest summary
    and the files refused before ingest, with their reasons.

    The type is checked from the content, the size is limited and the stored name is the
    content hash (pipeline.uploads); the new snapshot is picked up on the next run of every page.
    Raises `ImportFailed` when the files or the snapshot cannot be written.
    """
    inbox = default_inbox(settings.warehouse_dir())
    paths, refused = [], []
    with _told_plainly():
        for uploaded in files:
            try:
                paths.append(store_upload(uploaded.getvalue(), uploaded.name, inbox))
                remember_name(paths[-1], safe_name(uploaded.name))  # messages and lists show the user's name
            except ReportError as exc:
                refused.append((safe_name(uploaded.name), exc.reason))
        if not paths:
            return None, refused
        return ingest(paths, settings.warehouse_dir(), workers=1, progress=False), refused


def retire(report_ids: list[str]) -> object:
    """Drop earlier reports the user chose to replace by a corrected upload (one new snapshot)."""
    with _told_plainly():
        return ingest([], settings.warehouse_dir(), workers=1, progress=False, retire=report_ids)
