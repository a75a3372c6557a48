"""Notifications to applicants and staff through a pluggable backend (SMS or e-mail), via an outbox.

``notify`` writes an ``OutboundMessage`` inside the caller's transaction and, after commit, queues
``send_pending_messages`` on the worker. Backends: ``console`` (the log), ``file`` (one text file per
message under var/outbox/, for development) and Django's e-mail backend for e-mail. A real SMS gateway is
a class with ``send(message)`` named in the SMS_BACKEND setting.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from .models import OutboundMessage

logger = logging.getLogger(__name__)


class ConsoleSmsBackend:
    def send(self, message: OutboundMessage) -> None:
        logger.info("SMS to %s: %s", message.recipient, message.body)


class FileSmsBackend:
    def send(self, message: OutboundMessage) -> None:
        folder = Path(settings.MEDIA_ROOT).parent / "outbox"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{message.pk:08d}-{message.channel}.txt").write_text(
            f"To: {message.recipient}\nSubject: {message.subject}\n\n{message.body}\n", encoding="utf-8"
        )


SMS_BACKENDS = {"console": ConsoleSmsBackend, "file": FileSmsBackend}


def _sms_backend():
    name = getattr(settings, "SMS_BACKEND", "console")
    return SMS_BACKENDS[name]() if name in SMS_BACKENDS else import_string(name)()


def notify(*, phone: str = "", email: str = "", subject: str, body: str, obj=None, event: str = "") -> None:
    """Queue a message to the applicant's phone and/or e-mail; it is sent after the transaction commits."""
    object_type = obj._meta.label_lower if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
    for channel, recipient in ((OutboundMessage.Channel.SMS, phone), (OutboundMessage.Channel.EMAIL, email)):
        if recipient:
            OutboundMessage.objects.create(
                channel=channel,
                recipient=recipient,
                subject=subject,
                body=body,
                object_type=object_type,
                object_id=object_id,
                event=event,
            )
    transaction.on_commit(lambda: send_pending_messages.enqueue())


@task()
def send_pending_messages() -> int:
    """Send every unsent message (oldest first), each at most once; returns how many were sent.

    Each message is claimed (``claimed_at``, committed by itself) before the gateway is called, so two runs at
    once never both send it, and a run killed while sending (kill -9, a lost machine) is not followed by a second
    SMS when the task runs again: the message stays claimed and unsent, for staff to check with the gateway. A
    gateway that raises has refused the message: the claim is released and a later run retries (5 attempts).
    """
    sent = 0
    sms = _sms_backend()
    pending = OutboundMessage.objects.filter(sent_at__isnull=True, claimed_at__isnull=True, attempts__lt=5)
    for message in pending.order_by("created_at")[:500]:
        claim = OutboundMessage.objects.filter(pk=message.pk, sent_at__isnull=True, claimed_at__isnull=True)
        if not claim.update(claimed_at=timezone.now()):
            continue  # another run has claimed it
        try:
            if message.channel == OutboundMessage.Channel.SMS:
                sms.send(message)
            else:
                send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.recipient])
        except Exception as error:  # any gateway failure is recorded and retried
            OutboundMessage.objects.filter(pk=message.pk).update(
                attempts=F("attempts") + 1, last_error=str(error)[:300], claimed_at=None
            )
            continue
        OutboundMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(), attempts=F("attempts") + 1)
        sent += 1
    return sent
