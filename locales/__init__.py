"""Colloquy's gettext catalogs (``colloquy.pot``, ``<ll>/LC_MESSAGES/colloquy.po``), shipped as package data."""
