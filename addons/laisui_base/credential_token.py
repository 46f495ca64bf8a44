# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The token of a credential, short enough for a QR code on paper, that
anybody can verify offline with the published keys.

    token   = base64url(payload) "." base64url(signature)

base64url without padding (RFC 4648 §5). The payload is UTF-8 JSON, keys
sorted, no whitespace (``json.dumps(p, sort_keys=True,
separators=(',', ':'), ensure_ascii=True)``), an object of:

    v        1, the format version
    kid      the id of the key that signed (published at
             /<db>/laisui/credentials/keys)
    number   the credential's number, e.g. "RX2026000123"
    kind     its kind, e.g. "admission_notice"
    issued   when it was issued, Unix seconds (UTC)
    expires  when it stops being valid, Unix seconds; absent when never
    sub      an opaque keyed digest of the holder (no personal data: a QR
             is read by anybody), checked by the server only

The signature is Ed25519 (RFC 8032) over the payload bytes exactly as
they are in the token: a verifier checks the signature on the decoded
bytes, then reads the JSON. Valid means: signature good for a published
kid, and now < expires. Whether it was revoked only the server knows
(its verification page).
"""
import base64
import binascii
import json

VERSION = 1
# A token of this format is under 300 characters; anything much longer is
# not one, and is refused before it is decoded.
MAX_LENGTH = 512
SIGNATURE_LENGTH = 64


class Malformed(ValueError):
    "Not a token of this format"


def _b64encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')


def _b64decode(text):
    # Padding and characters outside the URL alphabet are refused, as
    # is any non-canonical encoding: a token has one spelling.
    if not text or '=' in text or len(text) % 4 == 1:
        raise Malformed("bad base64url")
    try:
        data = base64.b64decode(text + '=' * (-len(text) % 4),
            altchars=b'-_', validate=True)
    except (binascii.Error, ValueError) as exception:
        raise Malformed("bad base64url") from exception
    if _b64encode(data) != text:
        raise Malformed("non-canonical base64url")
    return data


def canonical(payload):
    "The payload's bytes as signed"
    return json.dumps(payload, sort_keys=True, separators=(',', ':'),
        ensure_ascii=True).encode('ascii')


def encode(payload, sign):
    "The token of payload, sign(bytes) → 64-byte signature"
    data = canonical(payload)
    return _b64encode(data) + '.' + _b64encode(sign(data))


def decode(token):
    """(payload dict, signed bytes, signature) of a well-formed token, else
    Malformed; the signature is not checked here"""
    if (not isinstance(token, str) or not token.isascii()
            or len(token) > MAX_LENGTH or token.count('.') != 1):
        raise Malformed("not a token")
    head, _, tail = token.partition('.')
    data, signature = _b64decode(head), _b64decode(tail)
    if len(signature) != SIGNATURE_LENGTH:
        raise Malformed("bad signature length")
    try:
        payload = json.loads(data)
    except ValueError as exception:
        raise Malformed("bad JSON") from exception
    if not (isinstance(payload, dict) and payload.get('v') == VERSION
            and isinstance(payload.get('kid'), str)
            and isinstance(payload.get('number'), str)
            and isinstance(payload.get('kind'), str)
            and _is_time(payload.get('issued'))
            and (payload.get('expires') is None
                or _is_time(payload['expires']))):
        raise Malformed("bad payload")
    return payload, data, signature


def _is_time(value):
    return isinstance(value, int) and not isinstance(value, bool) and (
        0 <= value < 2 ** 40)
