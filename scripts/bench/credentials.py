#!/usr/bin/env python3
# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of signed credentials (laisui_base credential.py).

    python scripts/bench/credentials.py [--count 2000]

It makes a fresh database (SQLite in a temporary folder, or PostgreSQL
when TRYTOND_DATABASE_URI is set) with laisui_base and times

(a) Ed25519 through ``cryptography`` alone: --count signatures and
    verifications of a typical payload (``raw_sign_per_second``,
    ``raw_verify_per_second``);
(b) ``Credential.issue`` of --count credentials in one transaction
    (``issue_per_second``);
(c) ``Credential.verify`` of their tokens, each with its scan log row
    (``verify_per_second``); the target is within 2× of (a)'s verify.

The last line on stdout is JSON. Runs under python -O (re-executes).
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import demo_data  # noqa: E402
from bench.common import log, run_on_fresh_database  # noqa: E402


def per_second(count, seconds):
    return round(count / seconds, 1) if seconds else None


def raw(count):
    "Signatures and verifications per second of cryptography alone"
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey)
    from trytond.modules.laisui_base import credential_token
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    payloads = [credential_token.canonical({
                'v': 1, 'kid': 'AAAAAAAAAAAAAAAA',
                'number': f'ZM2026{n:06d}', 'kind': 'certificate',
                'issued': 1788235200 + n, 'sub': '0123456789abcdef'})
        for n in range(count)]
    start = time.perf_counter()
    signatures = [key.sign(p) for p in payloads]
    sign_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for payload, signature in zip(payloads, signatures):
        public.verify(signature, payload)
    verify_seconds = time.perf_counter() - start
    return per_second(count, sign_seconds), per_second(count, verify_seconds)


def in_transaction(database, func):
    "func(pool) committed, retried with the locks it asks for"
    from trytond.modules.laisui_base.tests.tools import committed
    from trytond.pool import Pool
    return committed(database, lambda: func(Pool(database)),
        context={'language': 'zh_CN'})


def run(database, args):
    from trytond.pool import Pool
    Pool(database).init()
    raw_sign, raw_verify = raw(args.count)
    log(f'raw: {raw_sign} signatures/s, {raw_verify} verifications/s')

    def holder(pool):
        Party = pool.get('party.party')
        Credential = pool.get('laisui.credential')
        party, = Party.create([{'name': '陈小明'}])
        # The first issue makes the key and the secret: not timed.
        Credential.issue('certificate', party, None, '积分证明', [])
        return party.id
    party_id = in_transaction(database, holder)

    def issue(pool):
        Credential = pool.get('laisui.credential')
        party = pool.get('party.party')(party_id)
        start = time.perf_counter()
        tokens = [Credential.issue('certificate', party, None, '积分证明',
                    [('积分', str(n))]).token for n in range(args.count)]
        return tokens, time.perf_counter() - start
    tokens, issue_seconds = in_transaction(database, issue)
    log(f'issue: {args.count} in {issue_seconds:.2f}s')

    def verify(pool):
        Credential = pool.get('laisui.credential')
        start = time.perf_counter()
        results = [Credential.verify(t)[0] for t in tokens]
        seconds = time.perf_counter() - start
        assert set(results) == {'valid'}, set(results)
        return seconds
    verify_seconds = in_transaction(database, verify)
    log(f'verify: {args.count} in {verify_seconds:.2f}s')
    verify_rate = per_second(args.count, verify_seconds)
    return {
        'count': args.count,
        'raw_sign_per_second': raw_sign,
        'raw_verify_per_second': raw_verify,
        'verify_per_second': verify_rate,
        'issue_per_second': per_second(args.count, issue_seconds),
        'verify_ratio': round(raw_verify / verify_rate, 2)
        if verify_rate else None,
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--count', type=int, default=2000)
    args = parser.parse_args()
    if args.count < 1:
        parser.error('--count must be positive')

    run_on_fresh_database('laisui_base', 'bench_credentials', run, args)


if __name__ == '__main__':
    demo_data.ensure_optimized()
    main()
