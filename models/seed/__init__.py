"""Seed and demo data that ship with the project (a clone has everything it needs)."""
