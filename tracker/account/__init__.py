"""The account page: a user's API tokens and calendar feed URLs."""
