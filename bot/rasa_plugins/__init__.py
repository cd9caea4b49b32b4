"""Everything that plugs into Rasa or changes how it behaves, and nothing else does.

Each reliance on a Rasa internal has a guard in tests/rasa_plugins/test_rasa_guards.py that fails when
Rasa changes it:

| plug-in | what it replaces or patches |
| --- | --- |
| action_response_check.py | `RemoteAction._validate_action_result`: the schema checked once, not per call |
| channels/socketio.py | re-registers `session_request` (Rasa forgets to await `enter_room`) and wraps the message handler |
| channels/rest.py, channels/twilio_whatsapp.py | Rasa's channels, with their input checked before Rasa reads it |
| lock_store.py | Rasa's lock store: atomic tickets in Redis (Rasa only ever calls `lock()`) |
| tracker_store.py | `SQLTrackerStore._retrieve` and `save`, tried again while PostgreSQL restarts |
| spacy_nlp.py | `SpacyNLP.load_model`: one load per process, without the parser and the recogniser |
| action_gateway.py | Rasa's call to the action servers: short timeouts, failover, an apology |
| cause_reader.py | an NLU component whose output (`refusal_causes`) Rasa passes on to the actions |
| intent_reader.py | Rasa's intent classifier: its `intent` and `intent_ranking` are what the FallbackClassifier reads |
| letter_reader.py | an NLU component last in the pipeline: a pasted letter's grounds replace the classifiers' reading |
| action_server.py | rasa_sdk's server, with a token check attached through its plug-in hook (`attach_sanic_app_extensions`) |
"""
