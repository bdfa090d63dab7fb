"""Service functions: business rules that take the session (and `today`), flush but never commit."""
