"""The `training` blueprint object, alone so route modules can take it without importing each other."""

from __future__ import annotations

from flask import Blueprint

from models.services.infra.words import plural

bp = Blueprint("training", __name__, url_prefix="/training")
bp.add_app_template_filter(plural, "plural")  # `{{ n|plural("row") }}` on every page
