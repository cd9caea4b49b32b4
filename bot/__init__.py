"""The product's own Python, in three layers (docs/architecture.md): domain (the rules), storage (the firm's
side) and rasa_plugins (what plugs into Rasa), with the widget in web/, settings.py and texts.py beside them."""
