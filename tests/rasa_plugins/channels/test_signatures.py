import hashlib
import hmac

import pytest

from bot.rasa_plugins.channels.signatures import meta_signature, valid_meta_signature

pytestmark = pytest.mark.unit


def test_the_signature_is_hmac_sha256_of_the_raw_body():
    body = b'{"object":"page"}'
    expected = "sha256=" + hmac.new(b"secret", body, hashlib.sha256).hexdigest()
    assert meta_signature("secret", body) == expected
    assert valid_meta_signature("secret", body, expected)


def test_anything_else_is_refused():
    body = b'{"object":"page"}'
    good = meta_signature("secret", body)
    assert not valid_meta_signature("secret", body + b" ", good)
    assert not valid_meta_signature("other", body, good)
    assert not valid_meta_signature("secret", body, None)
    assert not valid_meta_signature("secret", body, "sha1=" + hashlib.sha1(body).hexdigest())
    assert not valid_meta_signature(None, body, good)
