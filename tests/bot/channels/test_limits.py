from bot.channels.limits import is_text


def test_a_text_is_a_str_that_can_be_encoded():
    assert is_text("Bonjour \x00 \u202e 😀")
    assert is_text("")


def test_lone_surrogates_and_other_values_are_not_texts():
    # What JSON's "\ud800" escape decodes to: spaCy, Redis and the database cannot encode it.
    assert not is_text("\ud800")
    assert not is_text("Bonjour \udfff")
    assert not is_text(12)
    assert not is_text(None)
    assert not is_text(["Bonjour"])
