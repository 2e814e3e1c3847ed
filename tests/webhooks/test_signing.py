"""The signature partners verify: HMAC-SHA256 over "<t>.<raw body>", Stripe-style header."""

import hashlib
import hmac

from webhooks import signing

SECRET = "whsec_test-secret-one"
OTHER = "whsec_test-secret-two"
BODY = b'{"id":"3f1c","type":"case.status_changed"}'
NOW = 1_790_000_000


def test_header_format_and_hmac():
    header = signing.signature_header([SECRET], NOW, BODY)
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={NOW},v1={expected}"


def test_a_signed_body_verifies():
    header = signing.signature_header([SECRET], NOW, BODY)
    assert signing.verify(SECRET, header, BODY, now=NOW)
    assert signing.verify(SECRET, header, BODY.decode(), now=NOW + 299)  # str body too


def test_a_tampered_body_fails():
    header = signing.signature_header([SECRET], NOW, BODY)
    assert not signing.verify(SECRET, header, BODY.replace(b"status", b"statu5"), now=NOW)
    assert not signing.verify(SECRET, header, BODY + b" ", now=NOW)


def test_a_tampered_timestamp_fails():
    header = signing.signature_header([SECRET], NOW, BODY)
    forged = header.replace(f"t={NOW}", f"t={NOW + 60}")
    assert not signing.verify(SECRET, forged, BODY, now=NOW + 60)


def test_the_wrong_secret_fails():
    header = signing.signature_header([SECRET], NOW, BODY)
    assert not signing.verify(OTHER, header, BODY, now=NOW)


def test_an_old_or_future_timestamp_fails():
    header = signing.signature_header([SECRET], NOW, BODY)
    assert not signing.verify(SECRET, header, BODY, now=NOW + 301)
    assert not signing.verify(SECRET, header, BODY, now=NOW - 301)
    assert signing.verify(SECRET, header, BODY, tolerance=600, now=NOW + 301)


def test_malformed_headers_fail():
    for header in ["", "garbage", f"t={NOW}", "v1=abc", "t=soon,v1=abc", f"t={NOW},v0=abc"]:
        assert not signing.verify(SECRET, header, BODY, now=NOW)


def test_during_rotation_either_secret_verifies():
    header = signing.signature_header([SECRET, OTHER], NOW, BODY)
    assert header.count("v1=") == 2
    assert signing.verify(SECRET, header, BODY, now=NOW)
    assert signing.verify(OTHER, header, BODY, now=NOW)
    assert not signing.verify("whsec_third", header, BODY, now=NOW)


def test_verify_uses_the_clock_by_default(time_machine):
    time_machine.move_to(NOW, tick=False)
    header = signing.signature_header([SECRET], NOW, BODY)
    assert signing.verify(SECRET, header, BODY)
    time_machine.move_to(NOW + 3600, tick=False)
    assert not signing.verify(SECRET, header, BODY)
