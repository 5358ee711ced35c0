"""Background work of the collection app. Every task is idempotent: running it twice
sends nothing twice (rows are claimed by setting `emailed_at` before sending)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.collection.models import Notification


def absolute_link(link: str) -> str:
    """The notification's link as an absolute URL on JIXIAO_SITE_URL ('' when the site
    address is not configured: a relative link means nothing in an e-mail)."""
    site = str(getattr(settings, "JIXIAO_SITE_URL", "") or "").strip().rstrip("/")
    if not link or not site:
        return ""
    if "://" in link:
        return link
    return f"{site}/{link.lstrip('/')}"


@shared_task
def email_notifications(ids: list[int]) -> int:
    """E-mail the given notifications to their recipients; returns how many were sent."""
    sent = 0
    for pk in ids:
        with transaction.atomic():
            # Claim the row; a second run (retry, duplicate delivery) finds it claimed.
            claimed = Notification.objects.filter(pk=pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            )
            if not claimed:
                continue
            note = Notification.objects.select_related("recipient").get(pk=pk)
            if not note.recipient.email:
                continue
            url = absolute_link(note.link)
            link = f"\n\n{url}" if url else ""
            send_mail(
                subject=_("【绩效考核】%(text)s") % {"text": note.text[:60]},
                message=note.text + link,
                from_email=None,
                recipient_list=[note.recipient.email],
                fail_silently=False,
            )
            sent += 1
    return sent
