"""Email preferences, one-click unsubscribe and the flags shown on person pages."""
