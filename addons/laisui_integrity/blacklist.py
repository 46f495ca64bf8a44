# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Literal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.laisui_base import clock
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import BarredError, IntegrityDeleteError
from .policy import KINDS

STATES = [
    ('active', "Active"),
    ('expired', "Expired"),
    ('lifted', "Lifted on Appeal"),
    ]


class Entry(ModelSQL, ModelView):
    """Blacklist entry (黑名单)

    Barred from start_date to end_date inclusive, Guangzhou dates: the bar
    ends at midnight at the end of end_date. `state` is for people: the
    check reads the dates, so an entry past its end bars nobody even before
    the nightly job marks it expired.
    """
    __name__ = 'laisui.integrity.blacklist'

    record = fields.Many2One('laisui.integrity.record', "Integrity Record",
        required=True, readonly=True, ondelete='RESTRICT')
    applicant = fields.Many2One('laisui.applicant', "Applicant",
        required=True, readonly=True, ondelete='RESTRICT')
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    kind_string = kind.translated('kind')
    start_date = fields.Date("Start Date", required=True, readonly=True)
    end_date = fields.Date("End Date", required=True, readonly=True,
        domain=[('end_date', '>=', Eval('start_date', None))])
    all_services = fields.Boolean("All Services", readonly=True)
    services = fields.Many2Many(
        'laisui.integrity.blacklist-laisui.integrity.service', 'entry',
        'service', "Services", readonly=True,
        states={'invisible': Eval('all_services', False)})
    legal_basis = fields.Text("Legal Basis", readonly=True)
    state = fields.Selection(STATES, "State", readonly=True, required=True)
    state_string = state.translated('state')
    appeal = fields.Function(fields.Many2One(
            'laisui.integrity.appeal', "Appeal"), 'get_appeal')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.applicant, Index.Equality()),
                    (t.end_date, Index.Range()),
                    where=t.state != Literal('lifted')),
                Index(t, (t.end_date, Index.Range()),
                    where=t.state == Literal('active')),
                })

    @classmethod
    def default_state(cls):
        return 'active'

    def get_rec_name(self, name):
        return f'{self.record.number} {self.start_date}~{self.end_date}'

    @classmethod
    def get_appeal(cls, entries, name):
        Appeal = Pool().get('laisui.integrity.appeal')
        result = dict.fromkeys(map(int, entries))
        for appeal in Appeal.search([('entry', 'in', list(result))]):
            result[appeal.entry.id] = appeal.id
        return result

    @property
    def services_text(self):
        if self.all_services:
            return gettext('laisui_integrity.msg_all_services')
        return '、'.join(s.name for s in self.services)

    @classmethod
    def create_from_records(cls, records):
        "Entries for confirmed records, by the policy of each kind"
        pool = Pool()
        Policy = pool.get('laisui.integrity.policy')
        AuditLog = pool.get('laisui.audit.log')
        today = clock.today()
        vlist = []
        for record in records:
            policy = Policy.for_kind(record.kind)
            if not policy.years:
                continue
            vlist.append({
                    'record': record.id,
                    'applicant': record.applicant.id,
                    'kind': record.kind,
                    'start_date': today,
                    'end_date': policy.end_date(today),
                    'all_services': policy.all_services,
                    'services': [('add', [s.id for s in policy.services])],
                    'legal_basis': policy.legal_basis,
                    })
        entries = cls.create(vlist)
        AuditLog.log_many([{
                    'action': 'create',
                    'resource': str(e),
                    'to_value': f'{e.start_date}~{e.end_date}',
                    'detail': f'{e.record.number} {e.services_text}',
                    } for e in entries])
        cls.notify(entries, 'integrity_barred')
        return entries

    @classmethod
    def notify(cls, entries, template, **values):
        "SMS to each applicant, sent after commit"
        SMS = Pool().get('laisui.sms.message')
        for entry in entries:
            if entry.applicant.phone:
                SMS.queue(entry.applicant.phone, template, dict(values,
                        kind=entry.kind_string,
                        start=entry.start_date.isoformat(),
                        end=entry.end_date.isoformat(),
                        services=entry.services_text),
                    check_rate=False)

    @classmethod
    def barring(cls, applicant, service_code, date=None):
        """Entries that bar `applicant` from the service on `date`.

        Reads past the user's access rules: whoever may submit or decide
        must be able to ask, without reading the register.
        """
        return cls.barring_many([applicant], service_code, date).get(
            int(applicant), [])

    @classmethod
    def barring_many(cls, applicants, service_code, date=None):
        """{applicant id: entries barring from the service on date, the
        latest end first} for many applicants in one search"""
        Service = Pool().get('laisui.integrity.service')
        date = date or clock.today()
        with Transaction().set_context(_check_access=False):
            service = Service.get(service_code)
            scope = [('all_services', '=', True)]
            if service:
                scope = ['OR', scope[0], ('services', '=', service.id)]
            barring = {}
            for entry in cls.search([
                        ('applicant', 'in', [int(a) for a in applicants]),
                        ('state', '!=', 'lifted'),
                        ('start_date', '<=', date),
                        ('end_date', '>=', date),
                        scope,
                        ], order=[('end_date', 'DESC'), ('id', 'ASC')]):
                barring.setdefault(entry.applicant.id, []).append(entry)
            return barring

    @classmethod
    def check(cls, applicant, service_code, date=None, staff=False):
        """Raise BarredError when the applicant is barred from the service.

        The applicant's message gives the kind, the end date and how to
        appeal, never the internal findings; staff also get the record.
        """
        Service = Pool().get('laisui.integrity.service')
        entries = cls.barring(applicant, service_code, date)
        if not entries:
            return
        entry = entries[0]
        with Transaction().set_context(_check_access=False):
            service = Service.get(service_code)
            name = service.name if service else service_code
            if staff:
                message = gettext('laisui_integrity.msg_barred_staff',
                    applicant=entry.applicant.rec_name,
                    record=entry.record.number, service=name,
                    end=entry.end_date.isoformat())
            else:
                message = gettext('laisui_integrity.msg_barred',
                    kind=entry.kind_string, service=name,
                    end=entry.end_date.isoformat())
        raise BarredError(message)

    @classmethod
    def expire(cls):
        "Mark the entries whose last day has passed (daily cron)"
        AuditLog = Pool().get('laisui.audit.log')
        entries = cls.search([
                ('state', '=', 'active'),
                ('end_date', '<', clock.today()),
                ])
        if entries:
            cls.write(entries, {'state': 'expired'})
            AuditLog.log_many([{
                        'action': 'state',
                        'resource': str(e),
                        'from_value': 'active',
                        'to_value': 'expired',
                        } for e in entries])
        return entries

    @classmethod
    def lift(cls, entries):
        "End entries early: an appeal upheld the applicant"
        AuditLog = Pool().get('laisui.audit.log')
        cls.lock(entries)
        entries = cls.browse(list(map(int, entries)))
        cls.write(entries, {'state': 'lifted'})
        AuditLog.log_many([{
                    'action': 'state',
                    'resource': str(e),
                    'from_value': 'active',
                    'to_value': 'lifted',
                    } for e in entries])

    @classmethod
    def delete(cls, entries):
        if entries:
            raise IntegrityDeleteError(gettext(
                    'laisui_integrity.msg_entry_delete'))
        super().delete(entries)


class EntryService(ModelSQL):
    "Blacklist Entry - Service"
    __name__ = 'laisui.integrity.blacklist-laisui.integrity.service'
    entry = fields.Many2One('laisui.integrity.blacklist', "Entry",
        required=True, ondelete='CASCADE')
    service = fields.Many2One('laisui.integrity.service', "Service",
        required=True, ondelete='RESTRICT')


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('laisui.integrity.blacklist|expire',
                "End Expired Blacklist Entries"))
