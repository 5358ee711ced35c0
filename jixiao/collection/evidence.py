"""Evidence attachments (佐证材料): type checked by content, never by name.

A file is accepted when `filetype` recognises its first bytes as a PDF, an image or an
Office document and it is within settings.UPLOAD_MAX_BYTES. Zip-based Office files
(OOXML and OpenDocument) must also open safely: in a limited child process
(`core.sandbox`) every part is inflated within the upload limits (`core.excel_safety`),
and every sheet of a workbook is streamed within them, so a bomb is refused here rather
than handed to a reviewer. The stored name is random
with the detected extension; the user's file name is kept only for display. The file is
written only when the transaction that recorded it commits. Downloads
go through a view that checks access to the owning entry, event or recheck request.
"""

from __future__ import annotations

import hashlib
import logging
from functools import partial
from typing import Any, TypeVar

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.collection.models import (
    BonusPenaltyEvent,
    Entry,
    EvidenceFile,
    RecheckRequest,
)
from jixiao.core.excel_reader import check_workbook
from jixiao.core.excel_safety import LARGE_LIMITS, inflate_all, open_archive
from jixiao.core.sandbox import Refused, run_limited

logger = logging.getLogger(__name__)

FileRow = TypeVar("FileRow", bound=models.Model)

ALLOWED = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/bmp": ".bmp",
    "image/tiff": ".tif",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
}
ZIPPED = {".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"}
ALLOWED_HINT = "PDF、图片（JPG/PNG/GIF/WEBP/BMP/TIFF）、Word、Excel、PowerPoint、OpenDocument"


class EvidenceRejected(Exception):
    """The file is not accepted; the message is Chinese and says why."""


def inspect_upload(upload: Any) -> tuple[bytes, str, str]:
    """(content, mime type, extension) of an acceptable upload; EvidenceRejected otherwise."""
    limit = settings.UPLOAD_MAX_BYTES
    if getattr(upload, "size", 0) and upload.size > limit:
        raise EvidenceRejected(_("文件超过大小上限（%(mb)d MB）。") % {"mb": limit // 1048576})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise EvidenceRejected(_("文件超过大小上限（%(mb)d MB）。") % {"mb": limit // 1048576})
    if not data:
        raise EvidenceRejected(_("文件是空的。"))
    kind = filetype.guess(data)
    if kind is None or kind.mime not in ALLOWED:
        raise EvidenceRejected(
            _("不支持的文件类型（按文件内容识别）。可上传：%(types)s。") % {"types": ALLOWED_HINT}
        )
    extension = ALLOWED[kind.mime]
    if extension in ZIPPED:
        try:
            run_limited(partial(_check_zipped, data, extension))
        except Refused as error:
            raise EvidenceRejected(str(error)) from error
    return data, kind.mime, extension


def _check_zipped(data: bytes, extension: str) -> None:
    """Runs in the sandbox: the same container checks and caps as the Excel doors."""
    inflate_all(open_archive(data, LARGE_LIMITS), LARGE_LIMITS)
    if extension == ".xlsx":
        check_workbook(data, LARGE_LIMITS)


def attach(
    upload: Any,
    user: User,
    *,
    entry: Entry | None = None,
    bonus_event: BonusPenaltyEvent | None = None,
    recheck: RecheckRequest | None = None,
) -> EvidenceFile:
    """Store an accepted upload as evidence of one owner and audit it (inside the action)."""
    owner = entry or bonus_event or recheck
    return store_upload(
        upload,
        user,
        EvidenceFile,
        owner=str(owner),
        entry=entry,
        bonus_event=bonus_event,
        recheck=recheck,
    )


def store_upload(
    upload: Any, user: User, model: type[FileRow], *, owner: str, **owner_fields: Any
) -> FileRow:
    """The one door for stored uploads: evidence, inspection photos, any file row.

    `model` has the file-row fields (`file`, `original_name`, `content_type`,
    `extension`, `size`, `sha256`, `uploaded_by`); `owner_fields` set its owner(s).
    The row is written in the caller's transaction; the file reaches the disk only once
    that transaction commits (`transaction.on_commit`), so an action that rolls back —
    at any level, savepoints included — leaves no file behind. If writing fails after
    the commit, the row is removed again (audited) so no record points at nothing.
    """
    data, mime, extension = inspect_upload(upload)
    name = (getattr(upload, "name", "") or "file").replace("\\", "/").rsplit("/", 1)[-1]
    with transaction.atomic():
        row: Any = model(
            original_name=name[:200],
            content_type=mime,
            extension=extension,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=user,
            **owner_fields,
        )
        # The random stored name (upload_to) is decided now; nothing is written yet.
        field = model._meta.get_field("file")
        row.file.name = field.generate_filename(row, name)  # type: ignore[union-attr]
        row.save()
        record(
            AuditAction.CREATE,
            row,
            after={
                "owner": owner,
                "name": row.original_name,
                "type": mime,
                "size": row.size,
                "sha256": row.sha256,
            },
        )
        transaction.on_commit(partial(_write_committed, model, row.pk, row.file.name, data))
    return row


def _write_committed(model: type[FileRow], pk: int, name: str, data: bytes) -> None:
    """Put a committed file row's bytes on disk (runs after commit)."""
    storage = model._meta.get_field("file").storage  # type: ignore[union-attr]
    try:
        stored = storage.save(name, ContentFile(data))
    except Exception:
        logger.exception("File %s could not be written; removing its record", name)
        with transaction.atomic():
            row: Any = model._default_manager.filter(pk=pk).first()
            if row is not None:
                record(
                    AuditAction.DELETE,
                    row,
                    before={"name": row.original_name, "file": name},
                    reason=_("佐证材料文件写入失败，记录已撤销"),
                )
                row.delete()
        raise
    if stored != name:  # the storage chose another name (never expected with random names)
        model._default_manager.filter(pk=pk).update(file=stored)
