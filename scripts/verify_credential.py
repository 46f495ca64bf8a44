#!/usr/bin/env python3
# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Verify a Laisui credential token offline, with the published keys.

    python verify_credential.py TOKEN --keys keys.json [--at 2026-09-01T00:00:00Z]

keys.json is what /<database>/laisui/credentials/keys serves. The token is
the text after /verify/ in the QR code's URL (the whole URL is taken too).
Checks the Ed25519 signature against the key of the token's kid and the
expiry; revocation is known to the server's verification page only.
Needs nothing but the ``cryptography`` package. Exit status: 0 valid,
1 expired, 2 invalid (forged, altered, unknown key, malformed).
The format is described in laisui_base/credential_token.py.
"""
import argparse
import base64
import binascii
import datetime as dt
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PublicKey)

VALID, EXPIRED, INVALID = 0, 1, 2


def b64decode(text):
    if not text or '=' in text:
        raise ValueError("bad base64url")
    return base64.b64decode(text + '=' * (-len(text) % 4), altchars=b'-_',
        validate=True)


def check(token, keys, now):
    "(status, message, payload or None)"
    token = token.strip().rsplit('/verify/', 1)[-1]
    try:
        head, tail = token.split('.')
        data, signature = b64decode(head), b64decode(tail)
        payload = json.loads(data)
        kid = payload['kid']
    except (ValueError, KeyError, TypeError, binascii.Error):
        return INVALID, "invalid: not a credential token", None
    key = next((k for k in keys.get('keys', []) if k.get('kid') == kid
            and k.get('kty') == 'OKP' and k.get('crv') == 'Ed25519'), None)
    if key is None:
        return INVALID, f"invalid: unknown key {kid!r}", payload
    try:
        Ed25519PublicKey.from_public_bytes(b64decode(key['x'])).verify(
            signature, data)
    except (InvalidSignature, ValueError):
        return INVALID, "invalid: bad signature", payload
    expires = payload.get('expires')
    if expires is not None and now.timestamp() >= expires:
        when = dt.datetime.fromtimestamp(expires, dt.timezone.utc)
        return EXPIRED, f"expired since {when:%Y-%m-%d %H:%M} UTC", payload
    return VALID, "valid (signature and expiry; ask the server for revocation)", payload


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('token')
    parser.add_argument('--keys', required=True, help="the published keys (JSON)")
    parser.add_argument('--at', help="check expiry at this ISO time instead of now")
    args = parser.parse_args(argv)
    with open(args.keys, encoding='utf-8') as file:
        keys = json.load(file)
    now = (dt.datetime.fromisoformat(args.at.replace('Z', '+00:00'))
        if args.at else dt.datetime.now(dt.timezone.utc))
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    status, message, payload = check(args.token, keys, now)
    if payload and status != INVALID:
        print(f"{payload.get('number')} ({payload.get('kind')})")
    print(message)
    return status


if __name__ == '__main__':
    sys.exit(main())
