import inspect

import pytest

from bot.rasa_plugins.text_models import UntrustedModelFile, read, text_features, trusted

pytestmark = pytest.mark.unit

_getsource = inspect.getsource


def test_a_file_holding_a_type_no_component_writes_is_refused():
    with pytest.raises(UntrustedModelFile):
        trusted(["sklearn.feature_extraction.text.TfidfVectorizer", "os.system"])


def test_the_types_the_components_write_are_accepted():
    assert trusted(["sklearn.linear_model._logistic.LogisticRegression"]) == [
        "sklearn.linear_model._logistic.LogisticRegression"
    ]


def test_accents_and_capitals_do_not_change_the_features():
    features = text_features().fit(read(["ma demande a été refusée", "mon test de langue"]))
    plain, accented = features.transform(read(["REFUSEE", "refusée"])).toarray()
    assert (plain == accented).all()


def test_a_change_of_the_readers_code_trains_them_again(monkeypatch):
    from bot.rasa_plugins import typed_text
    from bot.rasa_plugins.cause_reader import CauseReader
    from bot.rasa_plugins.intent_reader import IntentReader

    before = IntentReader.fingerprint_addon({})
    assert before == IntentReader.fingerprint_addon({}) and before != CauseReader.fingerprint_addon({})
    source = inspect.getsource(typed_text)
    monkeypatch.setattr(
        inspect, "getsource", lambda module: source + "#" if module is typed_text else _getsource(module)
    )
    assert IntentReader.fingerprint_addon({}) != before
