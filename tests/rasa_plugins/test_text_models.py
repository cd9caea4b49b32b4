import pytest

from bot.rasa_plugins.text_models import UntrustedModelFile, read, text_features, trusted

pytestmark = pytest.mark.unit


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
