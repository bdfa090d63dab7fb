"""Shared plumbing: SQL dates, XLSX, exports, upserts and process owners."""
