"""Users and passwords, API tokens and the login rate limit."""
