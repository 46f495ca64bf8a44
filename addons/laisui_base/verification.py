# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""One-time SMS verification codes.

6 digits from a CSPRNG, stored as a keyed hash, valid 5 minutes, dead
after 5 wrong tries, single use, bound to one phone and one purpose
(the project's security reference, security.md, §3 OWASP ASVS level 2
items for this portal). A code that confirms a submission is also bound
to the digest of what the applicant was shown: changed content after the
code was sent makes the code worthless.
"""
import datetime as dt
import hmac
import secrets

from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool

from . import clock
from .identity import mask_phone
from .sms import requester

LIFETIME = dt.timedelta(minutes=5)
MAX_TRIES = 5
PURPOSES = [
    ('register', "Registration"),
    ('login', "Login"),
    ('reset', "Password Reset"),
    ('confirm', "Confirm Submission"),
    ('password', "Password Change"),
    ]


class VerificationCode(ModelSQL, ModelView):
    "SMS verification code"
    __name__ = 'laisui.verification.code'

    # Lazy: no client may read them (security.xml).
    phone = fields.Char("Phone", required=True, readonly=True,
        loading='lazy')
    phone_masked = fields.Function(fields.Char("Phone"), 'get_phone_masked')
    purpose = fields.Selection(PURPOSES, "Purpose", required=True,
        readonly=True)
    code_hash = fields.Char("Code Hash", required=True, readonly=True,
        loading='lazy')
    binding = fields.Char("Binding", readonly=True,
        help="The digest of what the code confirms, if it confirms content.")
    expires_at = fields.Timestamp("Expires At", required=True, readonly=True)
    tries = fields.Integer("Tries", readonly=True)
    state = fields.Selection([
            ('active', "Active"),
            ('used', "Used"),
            ('dead', "Dead"),
            ], "State", required=True, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('id', 'DESC')]
        cls._sql_indexes.add(
            Index(t, (t.phone, Index.Equality()),
                (t.purpose, Index.Equality()),
                where=t.state == 'active'))

    @classmethod
    def default_state(cls):
        return 'active'

    @classmethod
    def default_tries(cls):
        return 0

    def get_phone_masked(self, name):
        return mask_phone(self.phone)

    @staticmethod
    def _hash(phone, purpose, code):
        Secret = Pool().get('laisui.secret')
        return Secret.digest('sms-code', purpose, phone, code)

    @classmethod
    def issue(cls, phone, purpose, sms_template='verification_code',
            known_device=False, binding=None):
        """Make a new code, end the previous ones, queue the SMS.

        A `known_device` (a browser that signed in to the phone before) is
        not held by the limits of the address it shares (carrier NAT).
        Returns the code only so that tests and the development outbox can
        read it; callers must never show it.
        """
        pool = Pool()
        Message = pool.get('laisui.sms.message')
        # Rate limits first: a refused send must not kill a live code.
        if known_device:
            Message.check_rate(phone)
        else:
            Message.check_rate(phone, *requester())
        cls.write(cls.search([
                    ('phone', '=', phone),
                    ('purpose', '=', purpose),
                    ('state', '=', 'active'),
                    ]), {'state': 'dead'})
        code = f'{secrets.randbelow(10 ** 6):06d}'
        cls.create([{
                    'phone': phone,
                    'purpose': purpose,
                    'code_hash': cls._hash(phone, purpose, code),
                    'binding': binding,
                    'expires_at': clock.now() + LIFETIME,
                    }])
        Message.queue(phone, sms_template, {
                'code': code,
                'minutes': int(LIFETIME.total_seconds() // 60),
                }, check_rate=False)
        return code

    @classmethod
    def check(cls, phone, purpose, code, binding=None):
        """Consume the code if right. Return None when it is, else the id of
        the message that tells why. The caller must commit even when it
        fails: the wrong try is counted in this transaction.

        A code issued with a binding is right only for that binding: other
        content than the one it was sent for kills it."""
        codes = cls.search([
                ('phone', '=', phone),
                ('purpose', '=', purpose),
                ('state', '=', 'active'),
                ], limit=1)
        if not codes:
            return 'laisui_base.msg_code_invalid'
        record, = codes
        cls.lock([record])
        if record.expires_at <= clock.now():
            record.state = 'dead'
            record.save()
            return 'laisui_base.msg_code_expired'
        if (record.binding or None) != (binding or None):
            record.state = 'dead'
            record.save()
            return 'laisui_base.msg_code_changed'
        expected = cls._hash(phone, purpose, (code or '').strip())
        if not hmac.compare_digest(expected, record.code_hash):
            record.tries += 1
            if record.tries >= MAX_TRIES:
                record.state = 'dead'
            record.save()
            return ('laisui_base.msg_code_dead' if record.state == 'dead'
                else 'laisui_base.msg_code_wrong')
        record.state = 'used'
        record.save()

    def get_rec_name(self, name):
        return f'{mask_phone(self.phone)} {self.purpose}'
