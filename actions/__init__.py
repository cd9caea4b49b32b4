"""Thin glue between Rasa and bot/: read slots, call bot/, answer with domain responses."""
