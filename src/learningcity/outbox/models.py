"""What a background job has sent: one row per message, keyed by a digest (no address is kept)."""

from __future__ import annotations

from django.db import models


class SentEmail(models.Model):
    """One e-mail a job began to send; `sent_at` is set once the mail server accepted it."""

    key = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the job, message and its rank")
    task_id = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.task_id} {self.key[:12]}"
