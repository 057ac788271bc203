"""Scheduled posts: schedule items claimed, posted and recorded exactly once; APScheduler wake-ups."""
