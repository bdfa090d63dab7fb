"""Flags, the reminder plan and queue, the outbox and mailer, preferences and calendar feeds."""
