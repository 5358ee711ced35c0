"""Evidence attachments (佐证材料): type checked by content, never by name.

A file is accepted when `filetype` recognises its first bytes as a PDF, an image or an
Office document and it is within settings.UPLOAD_MAX_BYTES. The stored name is random
with the detected extension; the user's file name is kept only for display. Downloads
go through a view that checks access to the owning entry, event or recheck request.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.collection.models import BonusPenaltyEvent, Entry, EvidenceFile, RecheckRequest

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
OOXML = {".docx", ".xlsx", ".pptx"}
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
    if extension in OOXML:
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile as error:
            raise EvidenceRejected(_("Office 文件已损坏。")) from error
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise EvidenceRejected(_("文件包含宏，出于安全原因不予接收。"))
    return data, kind.mime, extension


def attach(
    upload: Any,
    user: User,
    *,
    entry: Entry | None = None,
    bonus_event: BonusPenaltyEvent | None = None,
    recheck: RecheckRequest | None = None,
) -> EvidenceFile:
    """Store an accepted upload for one owner and audit it (call inside the action)."""
    data, mime, extension = inspect_upload(upload)
    name = (getattr(upload, "name", "") or "file").replace("\\", "/").rsplit("/", 1)[-1]
    evidence = EvidenceFile(
        entry=entry,
        bonus_event=bonus_event,
        recheck=recheck,
        original_name=name[:200],
        content_type=mime,
        extension=extension,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user,
    )
    evidence.file.save(f"upload{extension}", ContentFile(data), save=False)
    evidence.save()
    owner = entry or bonus_event or recheck
    record(
        AuditAction.CREATE,
        evidence,
        after={
            "owner": str(owner),
            "name": evidence.original_name,
            "type": mime,
            "size": evidence.size,
            "sha256": evidence.sha256,
        },
    )
    return evidence
