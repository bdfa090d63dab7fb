"""The access walk: every endpoint for every kind of user, expected answers derived from the policy."""
