"""The community: guild settings, members' profiles and their privacy."""
