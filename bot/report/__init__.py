"""The dialogue report: compile (store → Report) and render (Markdown, HTML, JSON, Discord)."""
