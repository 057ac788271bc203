"""What every cog shares (one copy each; the feature cogs import from here, never from each other).

- :mod:`cogs.kit.reply`: the typed bot of an interaction (``bot_of``), the reader's language,
  private replies, ``NO_MENTIONS`` (nothing the bot posts pings anyone).
- :mod:`cogs.kit.access`: who may do what, checked on the server side.
- :mod:`cogs.kit.autocomplete`: time zones, ``dialogue:`` and the options that depend on it.
- :mod:`cogs.kit.options`: option descriptions and choices declared alike by several cogs.
- :mod:`cogs.kit.channels`: where posts go (``Postable``) and finding the bot's own posts after a crash.
- :mod:`cogs.kit.text`: members' words quoted in the bot's messages.
- :mod:`cogs.kit.ui`: buttons, selects and modals hand their failures to the one error handler.
"""
