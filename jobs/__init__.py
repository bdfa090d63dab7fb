"""Scheduled job functions `run(session, today) -> summary`; they import models, never tracker."""
