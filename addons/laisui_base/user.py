# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import functools
import secrets

from sql import Literal
from sql.operators import Equal

import trytond.config as config
from trytond.exceptions import RateLimitException
from trytond.i18n import gettext
from trytond.model import Exclude, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import without_check_access

from . import clock
from .exceptions import PhoneError
from .password_hash import PasswordHashMixin
from .validation import PhoneMixin


# Failed portal sign-ins in [session] timeout of one client address
# ([laisui] max_attempt_ip_address) and of its network ([session]
# max_attempt_ip_network over ip_network_4/6), sized for carrier NAT in
# config/production.conf (1,000 a /24 there). trytond's own configuration
# sets the network's to 300 of a /32, which applies without the file.
MAX_ATTEMPT_IP_ADDRESS = 300
MAX_ATTEMPT_IP_NETWORK = 300

@functools.cache
def _dummy_hash(Model):
    "A hash of nothing, to verify unknown logins against"
    return Model.hash_password(secrets.token_hex(16))


class WebUser(PasswordHashMixin, PhoneMixin, metaclass=PoolMeta):
    "Portal users sign in with a mobile number instead of an e-mail"
    __name__ = 'web.user'

    # The notice the applicant accepted on registering, as it was then
    # (published versions never change).
    consent_version = fields.Many2One('laisui.privacy_notice',
        "Consented Notice", readonly=True, ondelete='RESTRICT')
    consent_at = fields.Timestamp("Consented At", readonly=True)

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
        # No client may read them (security.xml): clients that load every
        # eager field (proteus) must not be made to ask.
        for name in ['password_hash', 'reset_password_token',
                'reset_password_token_expire', 'email_token', 'email']:
            getattr(cls, name).loading = 'lazy'
        cls.email.states['required'] &= ~Eval('phone')
        cls.email.depends = (cls.email.depends or set()) | {'phone'}

    def get_rec_name(self, name):
        if self.phone and not self.email:
            return self.phone_masked
        return super().get_rec_name(name)

    @classmethod
    def authenticate_phone(cls, phone, password, device=None):
        """web_user's authenticate() keyed on the phone: throttled per login,
        per client address and per network, same constant cost for unknown
        phones.

        Past the limits the answer is an immediate 429, never a sleep that
        would hold a server thread. A browser that signed in to the number
        before (`device`, its cookie's nonce) has an allowance of its own
        and is not held by the address limits: whoever guesses passwords
        elsewhere, or behind the same carrier NAT, cannot lock its owner
        out."""
        pool = Pool()
        Attempt = pool.get('web.user.authenticate.attempt')
        login = f'phone:{phone}'
        if device:
            login += f':device:{device}'
        elif (Attempt.count_ip_address() >= config.getint(
                    'laisui', 'max_attempt_ip_address',
                    default=MAX_ATTEMPT_IP_ADDRESS)
                or Attempt.count_ip() >= config.getint(
                    'session', 'max_attempt_ip_network',
                    default=MAX_ATTEMPT_IP_NETWORK)):
            # At most N failures of an address (of a network) in a window:
            # try N+1 is refused. Only failures count, a success removes
            # the phone's own: the parents behind one carrier NAT address
            # use these up by their typos only (config/production.conf).
            raise RateLimitException()
        count = Attempt.count(login)
        if count > config.getint('session', 'max_attempt', default=5):
            Attempt.add(login)
            raise RateLimitException()
        users = cls.search([('phone', '=', phone)], limit=1)
        if users:
            user, = users
            valid, new_hash = cls.check_password(password, user.password_hash)
            if valid:
                if new_hash:
                    # Hashed with other parameters: store the current ones.
                    with without_check_access():
                        cls.write([user], {'password_hash': new_hash})
                Attempt.remove(login)
                return user
        else:
            # Verify against a hash anyway so that an unknown phone costs
            # the same time as a known one (one verification, no hashing).
            cls.check_password(password, _dummy_hash(cls))
        Attempt.add(login)

    def password_personal(self):
        """What a new password of the user must not contain; higher modules
        add what they know of the user (the ID number)"""
        return [self.phone]

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
        pool = Pool()
        Party = pool.get('party.party')
        Notice = pool.get('laisui.privacy_notice')
        AuditLog = pool.get('laisui.audit.log')
        if cls.search([('phone', '=', phone)], limit=1):
            raise PhoneError(gettext('laisui_base.msg_web_user_phone_unique'))
        party, = Party.create([{'name': name}])
        # The registration form's consent is to the notice in force now.
        notice = Notice.current_notice()
        user, = cls.create([{
                    'phone': phone,
                    'password': password,
                    'party': party.id,
                    'consent_version': notice.id if notice else None,
                    'consent_at': clock.now(),
                    }])
        AuditLog.log('write', resource=user, web_user=user,
            to_value=notice.version if notice else None,
            detail=f'{user.rec_name}: consent_version')
        return user
