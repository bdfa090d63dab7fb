"""People, their assignments, schools and agencies."""
