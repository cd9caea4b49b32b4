"""The product's own Python: remedy engine, deadlines and settings. Never imports rasa_sdk."""
