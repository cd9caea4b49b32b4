"""Rasa connectors of the project's own: each platform's webhook security and way of showing choices."""
