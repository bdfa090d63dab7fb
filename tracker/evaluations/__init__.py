"""Evaluations and recognition (SECURe Step 5)."""
