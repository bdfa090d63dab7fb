"""The JSON integration API under /api/v1: token auth, one problem format, pagination, OpenAPI."""
