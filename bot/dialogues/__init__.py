"""Dialogue weeks: the dialogue, its guiding questions and themes, its timeline and public posts."""
