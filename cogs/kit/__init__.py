"""What every cog shares: access checks, autocomplete, component plumbing, sending."""
