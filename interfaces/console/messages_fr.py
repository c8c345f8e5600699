"""The console's French messages, keyed by their English text."""

FRENCH: dict[str, str] = {}
