"""Admin pages: scheduled jobs, the outbox and the reminder plan."""
