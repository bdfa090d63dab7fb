"""Calendar feeds: iCalendar due dates behind secret, revocable URLs."""
