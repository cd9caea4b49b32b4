"""The rules of the product, in plain Python: the case a person describes, which questions to ask, the
Federal Court deadline, the remedies in order with their sources, dates, contact details, the case handed
to the firm. Imports no framework (rasa, rasa_sdk, sqlalchemy, sanic, redis) and nothing of bot.storage or
bot.rasa_plugins: tests/test_layers.py holds it to that."""
