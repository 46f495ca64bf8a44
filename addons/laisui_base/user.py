# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import functools
import secrets
import time

from sql import Literal
from sql.operators import Equal

import trytond.config as config
from trytond.exceptions import RateLimitException
from trytond.i18n import gettext
from trytond.model import Exclude
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import PhoneError, RoleSeparationError
from .validation import PhoneMixin

# 三员: one person may hold at most one of these (GB/T 22239 §8.1.5).
ADMIN_ROLE_GROUPS = [
    'laisui_base.group_system_admin',
    'laisui_base.group_security_admin',
    'laisui_base.group_auditor',
    ]


@functools.cache
def _dummy_hash(WebUser):
    return WebUser.hash_password(secrets.token_hex(16))


class WebUser(PhoneMixin, metaclass=PoolMeta):
    "Portal users sign in with a mobile number instead of an e-mail"
    __name__ = 'web.user'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('phone_exclude',
                Exclude(t, (t.phone, Equal),
                    where=t.active == Literal(True)),
                'laisui_base.msg_web_user_phone_unique'),
            ]
        cls.email.states['required'] &= ~Eval('phone')
        cls.email.depends = (cls.email.depends or set()) | {'phone'}

    def get_rec_name(self, name):
        if self.phone and not self.email:
            return self.phone_masked
        return super().get_rec_name(name)

    @classmethod
    def authenticate_phone(cls, phone, password):
        """web_user's authenticate() keyed on the phone: same throttling per
        login and per IP network, same constant cost for unknown phones."""
        pool = Pool()
        Attempt = pool.get('web.user.authenticate.attempt')
        login = f'phone:{phone}'
        if Attempt.count_ip() > config.getint(
                'session', 'max_attempt_ip_network', default=300):
            raise RateLimitException()
        count = Attempt.count(login)
        if count > config.getint('session', 'max_attempt', default=5):
            Attempt.add(login)
            raise RateLimitException()
        Transaction().atexit(time.sleep, 2 ** count - 1)
        users = cls.search([('phone', '=', phone)], limit=1)
        if users:
            user, = users
            valid, _ = cls.check_password(password, user.password_hash)
            if valid:
                Attempt.remove(login)
                return user
        else:
            # Verify against a hash anyway so that an unknown phone costs
            # the same time as a known one (one verification, no hashing).
            cls.check_password(password, _dummy_hash(cls))
        Attempt.add(login)

    @classmethod
    def end_sessions(cls, users, keep=None):
        "Remove every portal session of the users but `keep`"
        Session = Pool().get('web.user.session')
        domain = [('user', 'in', [u.id for u in users])]
        if keep:
            domain.append(('key', '!=', keep))
        Session.delete(Session.search(domain))

    @classmethod
    def portal_register(cls, phone, password, name, id_number):
        """Create the portal account of a new applicant.

        Higher modules extend this to create their own records (laisui_points
        makes the applicant from the ID number)."""
        Party = Pool().get('party.party')
        if cls.search([('phone', '=', phone)], limit=1):
            raise PhoneError(gettext('laisui_base.msg_web_user_phone_unique'))
        party, = Party.create([{'name': name}])
        user, = cls.create([{
                    'phone': phone,
                    'password': password,
                    'party': party.id,
                    }])
        return user


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    @classmethod
    def validate_fields(cls, users, field_names):
        super().validate_fields(users, field_names)
        if field_names is None or 'groups' in field_names:
            cls.check_admin_roles(users)

    @classmethod
    def check_admin_roles(cls, users):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        role_ids = {ModelData.get_id(*x.split('.')): x
            for x in ADMIN_ROLE_GROUPS}
        for user in users:
            held = [g for g in user.groups if g.id in role_ids]
            if len(held) > 1:
                raise RoleSeparationError(gettext(
                        'laisui_base.msg_admin_roles_exclusive',
                        user=user.rec_name,
                        groups='、'.join(g.rec_name for g in held)))


