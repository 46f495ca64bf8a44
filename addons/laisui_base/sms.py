# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import re
import string

from sql import Literal, Null
from sql.aggregate import Sum
from sql.conditionals import Case

import trytond.config as config
from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from . import clock
from .exceptions import SMSRateLimitError
from .identity import mask_phone, mask_text
from .sms_provider import SECTION, get_provider

_CODE = re.compile(r'\d{6}')
# Templates whose messages carry a code that signs its owner in.
CODE_TEMPLATES = {'verification_code', 'staff_login_code'}
# The answers to someone pressing 获取验证码: the only messages the limits
# count. Every other message is a notice of the office (a password changed,
# an application received): it cannot be asked for at will, and it must not
# keep its reader from asking for a code.
REQUESTED_TEMPLATES = CODE_TEMPLATES | {
    'already_registered', 'not_registered'}

# Per phone: at most N messages within the window: (window, seconds,
# [laisui_sms] option, default), the defaults after the Aliyun ones for
# verification codes (the project's security reference, security.md,
# §3 OWASP ASVS level 2 items for this portal).
PHONE_LIMITS = [
    ('minute', 60, 'phone_per_minute', 1),
    ('hour', 3600, 'phone_per_hour', 5),
    ('day', 86400, 'phone_per_day', 10),
    ]
# Per client address and per network ([session] ip_network_4/6, /24 and
# /56 in production): (window, seconds, [laisui_sms] option, default).
# Sized for carrier NAT, where up to ~2,000 parents an hour share one
# public address, each asking at most ~1.1 codes (config/production.conf).
ADDRESS_LIMITS = [
    ('hour', 3600, 'ip_per_hour', 2500),
    ('day', 86400, 'ip_per_day', 10000),
    ]
NETWORK_LIMITS = [
    ('hour', 3600, 'network_per_hour', 5000),
    ('day', 86400, 'network_per_day', 20000),
    ]
# Every message asked for from the network in the last hour, whoever asks:
# the bill of SMS pumping stays bounded (~13,000 an hour at the opening).
GLOBAL_PER_HOUR = 20000
# Sent only after a right staff password: nobody can pump them, and those
# who fill the site's hour must not lock the office out.
UNCAPPED_TEMPLATES = {'staff_login_code'}


def requester():
    """The client's address and network ([session] ip_network_4/6) as the
    messages store them, or (None, None) outside a request"""
    try:
        ip_address, ip_network = Transaction().remote_address()
    except ValueError:
        # Not an address: counted as it came, in no network.
        return Transaction().context['_request']['remote_addr'], None
    return (str(ip_address) if ip_address else None,
        str(ip_network) if ip_network else None)


class SMSTemplate(DeactivableMixin, ModelSQL, ModelView):
    "SMS template"
    __name__ = 'laisui.sms.template'

    code = fields.Char("Code", required=True, readonly=True,
        help="The event that sends this message.")
    name = fields.Char("Name", required=True, translate=True)
    content = fields.Text("Content", required=True, translate=True,
        help="Placeholders are written ${name}.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'laisui_base.msg_sms_template_unique'),
            ]

    def render(self, values):
        # string.Template knows only plain names: no attribute access from an
        # admin-edited template.
        return string.Template(self.content).safe_substitute(values)

    @classmethod
    def get(cls, code):
        template, = cls.search([('code', '=', code)], limit=1)
        return template


class SMSMessage(ModelSQL, ModelView):
    "SMS message (outbox)"
    __name__ = 'laisui.sms.message'

    # Lazy, as the content: no client may read them (security.xml).
    phone = fields.Char("Phone", required=True, readonly=True,
        loading='lazy')
    phone_masked = fields.Function(
        fields.Char("Phone"), 'get_phone_masked',
        searcher='search_phone_masked')
    template = fields.Many2One(
        'laisui.sms.template', "Template", readonly=True,
        ondelete='RESTRICT')
    content = fields.Text("Content", readonly=True, loading='lazy')
    content_masked = fields.Function(
        fields.Text("Content"), 'get_content_masked')
    state = fields.Selection([
            ('pending', "Pending"),
            ('sent', "Sent"),
            ('delivered', "Delivered"),
            ('failed', "Failed"),
            ], "State", readonly=True, required=True, sort=False)
    provider = fields.Char("Provider", readonly=True)
    reference = fields.Char("Reference", readonly=True)
    attempts = fields.Integer("Attempts", readonly=True)
    error = fields.Char("Error", readonly=True)
    sent_at = fields.Timestamp("Sent At", readonly=True)
    ip_address = fields.Char("IP Address", readonly=True)
    ip_network = fields.Char("IP Network", readonly=True,
        help="The requester's network, as [session] ip_network_4/6 size it.")
    notice = fields.Boolean("Notice", readonly=True,
        help="Not an answer to a request for a code: the sending limits "
        "do not count it.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('id', 'DESC')]
        requested = t.notice == Literal(False)
        cls._sql_indexes.update({
                # All of them: the phone's limits and its owner's 消息 page.
                Index(t, (t.phone, Index.Equality()),
                    (t.create_date, Index.Range())),
                # The limits count only what someone asked for.
                Index(t, (t.ip_address, Index.Equality()),
                    (t.create_date, Index.Range()), where=requested),
                Index(t, (t.ip_network, Index.Equality()),
                    (t.create_date, Index.Range()), where=requested),
                Index(t, (t.create_date, Index.Range()),
                    where=(t.ip_address != Null) & requested),
                Index(t, (t.reference, Index.Equality())),
                Index(t, (t.state, Index.Equality()),
                    where=t.state == 'pending'),
                })
        cls._buttons.update({
                'retry': {
                    'invisible': Eval('state') != 'failed',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def __register__(cls, module):
        pool = Pool()
        Template = pool.get('laisui.sms.template')
        migrate = (backend.TableHandler.table_exist(cls._table)
            and not cls.__table_handler__(module).column_exist('notice'))
        super().__register__(module)
        if migrate:
            # Messages sent before the notices were told apart.
            table = cls.__table__()
            template = Template.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.update([table.notice], [Literal(True)],
                    where=~table.template.in_(template.select(template.id,
                            where=template.code.in_(
                                sorted(REQUESTED_TEMPLATES))))))
            cursor.execute(*table.update([table.notice], [Literal(False)],
                    where=table.notice == Null))

    @classmethod
    def default_state(cls):
        return 'pending'

    @classmethod
    def default_attempts(cls):
        return 0

    @classmethod
    def default_notice(cls):
        # Unless told otherwise a message counts against the limits.
        return False

    def get_phone_masked(self, name):
        return mask_phone(self.phone)

    def get_content_masked(self, name):
        """The text as staff may read it: numbers masked and, in a message
        that carries a code, the code hidden (whoever reads a live code
        could sign in as its owner)."""
        text = mask_text(self.content)
        if self.template and self.template.code in CODE_TEMPLATES:
            text = _CODE.sub(lambda m: '*' * len(m.group()), text)
        return text

    @classmethod
    def search_phone_masked(cls, name, clause):
        return [('phone',) + tuple(clause[1:])]

    def get_rec_name(self, name):
        return f'{self.phone_masked} #{self.id}'

    @classmethod
    def _counts(cls, where, now, periods):
        """How many requested messages (no notice) match where within each
        period (seconds): one range scan of an index over the longest"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        since = [now - dt.timedelta(seconds=s) for s in periods]
        cursor.execute(*table.select(*[
                    Sum(Case((table.create_date > d, Literal(1)),
                            else_=Literal(0)))
                    for d in since],
                where=where(table) & (table.create_date > min(since))
                & (table.notice == Literal(False))))
        return [c or 0 for c in cursor.fetchone()]

    @classmethod
    def check_rate(cls, phone, ip_address=None, ip_network=None,
            capped=True):
        """Raise SMSRateLimitError when one more message would pass a limit:
        of the phone, of the requester's address and network when given,
        of the whole site when capped. At most N in a window: message N+1
        is refused. Only the messages someone asked for count, never the
        notices."""
        now = clock.now()
        counts = cls._counts(lambda t: t.phone == phone, now,
            [seconds for _, seconds, _, _ in PHONE_LIMITS])
        for (period, _, option, default), count in zip(PHONE_LIMITS, counts):
            limit = config.getint(SECTION, option, default=default)
            if count >= limit:
                raise SMSRateLimitError(gettext(
                        'laisui_base.msg_sms_rate_%s' % period, limit=limit))
        for column, value, limits in [
                ('ip_address', ip_address, ADDRESS_LIMITS),
                ('ip_network', ip_network, NETWORK_LIMITS)]:
            if not value:
                continue
            counts = cls._counts(lambda t: getattr(t, column) == value, now,
                [seconds for _, seconds, _, _ in limits])
            for (_, _, option, default), count in zip(limits, counts):
                if count >= config.getint(SECTION, option, default=default):
                    raise SMSRateLimitError(gettext(
                            'laisui_base.msg_sms_rate_ip'))
        if not capped:
            return
        # What the office sends in bulk carries no address.
        count, = cls._counts(lambda t: t.ip_address != Null, now, [3600])
        if count >= config.getint(
                SECTION, 'global_per_hour', default=GLOBAL_PER_HOUR):
            raise SMSRateLimitError(gettext('laisui_base.msg_sms_rate_busy'))

    @classmethod
    def queue(cls, phone, template_code, values=None, check_rate=True,
            known_device=False):
        """Put a message in the outbox; it is sent after commit.

        A rolled back or retried transaction leaves no message, so it sends
        none. The limits of the requester's address and network do not hold
        a `known_device` (a browser that signed in to the phone before),
        those of the phone and of the site do.
        """
        ip_address, ip_network = requester()
        if check_rate:
            capped = template_code not in UNCAPPED_TEMPLATES
            if known_device:
                cls.check_rate(phone, capped=capped)
            else:
                cls.check_rate(phone, ip_address, ip_network, capped=capped)
        message, = cls.queue_many([(phone, template_code, values)],
            ip_address=ip_address, ip_network=ip_network)
        return message

    @classmethod
    def queue_many(cls, entries, chunk=100, ip_address=None,
            ip_network=None):
        """Queue (phone, template code, values) entries without rate check:
        notices the office sends to many applicants at once. The rows are
        inserted set-wise: a publication notifies tens of thousands. They
        carry no requester address: they must not count against the
        per-address limits of whoever pressed the button."""
        pool = Pool()
        Template = pool.get('laisui.sms.template')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        now, uid = clock.now(), transaction.user
        templates = {}
        rows = []
        for phone, template_code, values in entries:
            if template_code not in templates:
                templates[template_code] = Template.get(template_code)
            template = templates[template_code]
            rows.append([phone, template.id, template.render(values or {}),
                    'pending', 0, ip_address, ip_network,
                    template.code not in REQUESTED_TEMPLATES, uid, now])
        columns = [table.phone, table.template, table.content, table.state,
            table.attempts, table.ip_address, table.ip_network,
            table.notice, table.create_uid, table.create_date]
        ids = []
        if transaction.database.has_returning():
            for sub in grouped_slice(rows, 1000):
                cursor.execute(*table.insert(columns, list(sub),
                        returning=[table.id]))
                ids.extend(id_ for id_, in cursor)
        else:
            for row in rows:
                cursor.execute(*table.insert(columns, [row]))
                ids.append(cursor.lastrowid)
        messages = []
        # Browsed chunk by chunk: a record checks all the ids it shares.
        for i in range(0, len(ids), chunk):
            sent = cls.browse(ids[i:i + chunk])
            cls.__queue__.send(sent)
            messages.extend(sent)
        return messages

    @classmethod
    def send(cls, messages):
        provider = get_provider()
        now = clock.now()
        for message in messages:
            if message.state != 'pending':
                continue
            result = provider.send(
                message.phone, message.content, str(message.id))
            message.attempts = (message.attempts or 0) + 1
            message.provider = provider.name
            if result.ok:
                message.state = 'sent'
                message.reference = result.reference
                message.sent_at = now
                message.error = None
                if provider.name != 'dev' and message.template and (
                        message.template.code in CODE_TEMPLATES):
                    # Staff reading the outbox must not sign in for others.
                    message.content = _CODE.sub('******', message.content)
            elif not result.retry or message.attempts >= 3:
                message.state = 'failed'
                message.error = result.error
            else:
                message.error = result.error
        cls.save(messages)

    @classmethod
    def send_pending(cls):
        "Cron: retry what the gateway could not take"
        cls.send(cls.search([('state', '=', 'pending')], limit=500))

    @classmethod
    @ModelView.button
    def retry(cls, messages):
        cls.write([m for m in messages if m.state == 'failed'], {
                'state': 'pending',
                'attempts': 0,
                })
        cls.__queue__.send(messages)

    @classmethod
    def report_delivery(cls, reference, delivered, error=None):
        "Delivery receipt from the gateway"
        messages = cls.search([('reference', '=', reference)], limit=1)
        if messages:
            message, = messages
            message.state = 'delivered' if delivered else 'failed'
            message.error = None if delivered else (error or '')[:200]
            message.save()
        return bool(messages)


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('laisui.sms.message|send_pending', "Send Pending SMS"))
