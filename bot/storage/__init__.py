"""The firm's side: the database (cases, their notices, Rasa's conversation history), the notice worker
and the firm's command line. Never imports Rasa or bot.rasa_plugins (tests/test_layers.py)."""
