# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Password hashes for staff and applicants, at a cost the server can bear.

trytond hashes with argon2-cffi's defaults (64 MiB, t=3, p=4): 176 ms of
CPU per sign-in on this hardware, four native threads each, which made
sign-in 80 % of the CPU when the application window opens. The parameters
come from [password] argon2_memory_cost (KiB), argon2_time_cost and
argon2_parallelism, by default OWASP's Argon2id minimum (19 MiB, t=2, p=1:
25 ms). A stored hash made with other parameters still verifies and is
replaced by one with the current parameters at the next sign-in.

At most [password] concurrent_hashes hashes run at once in a process
(default 1): a burst of sign-ins waits for its turn instead of taking every
core from the pages being served. A sign-in that waits longer than
[password] hash_wait seconds is answered 429 at once.
"""
import functools
import threading

import pwdlib
from pwdlib.hashers.argon2 import Argon2Hasher

import trytond.config as config
from trytond.exceptions import RateLimitException
from trytond.res.user import PASSWORD_HASH as TRYTON_PASSWORD_HASH

# OWASP Password Storage Cheat Sheet, Argon2id minimum configuration.
MEMORY_COST = 19456
TIME_COST = 2
PARALLELISM = 1


@functools.cache
def password_hash():
    "The hasher of the configured parameters, then trytond's for old hashes"
    argon2 = Argon2Hasher(
        memory_cost=config.getint(
            'password', 'argon2_memory_cost', default=MEMORY_COST),
        time_cost=config.getint(
            'password', 'argon2_time_cost', default=TIME_COST),
        parallelism=config.getint(
            'password', 'argon2_parallelism', default=PARALLELISM))
    others = [h for h in TRYTON_PASSWORD_HASH.hashers
        if not isinstance(h, Argon2Hasher)]
    return pwdlib.PasswordHash([argon2, *others])


@functools.cache
def _slots():
    return threading.BoundedSemaphore(
        config.getint('password', 'concurrent_hashes', default=1))


def _hashing(func):
    @functools.wraps(func)
    def wrapper(*args):
        slots = _slots()
        if not slots.acquire(
                timeout=config.getfloat('password', 'hash_wait', default=10)):
            raise RateLimitException()
        try:
            return func(*args)
        finally:
            slots.release()
    return wrapper


class PasswordHashMixin:
    "hash_password and check_password of res.user and web.user"
    __slots__ = ()

    @classmethod
    @_hashing
    def hash_password(cls, password):
        if not password:
            return None
        return password_hash().hash(password)

    @classmethod
    @_hashing
    def check_password(cls, password, hash_):
        "(valid, the hash to store instead or None)"
        return password_hash().verify_and_update(password, hash_)
