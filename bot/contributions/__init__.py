"""Contributions: members' messages in a dialogue, their tags, support and key points."""
