# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Versions of a service: what it asks, who may apply, how it is decided.

    draft → published → retired

A version is edited as a draft only; publishing freezes it (and its
conditions and materials) and retires the version it replaces. A change
is a new version (新建版本): the applications in flight keep theirs.
"""
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields, sequence_ordered)
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.state_guard import state_guard
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .exceptions import ServiceError

STATES = [
    ('draft', "Draft"),
    ('published', "Published"),
    ('retired', "Retired"),
    ]
VOUCHERS = [
    (None, "No Voucher"),
    ('approval', "On Approval"),
    ('attendance', "On Recorded Attendance"),
    ('points', "Points Certificate on Approval"),
    ]
TRUST_LEVELS = [
    ('copy', "Uploaded Copy"),
    ('original', "Original Checked at the Window"),
    ('system', "Checked against Government Data"),
    ]
_DRAFT = {'readonly': Eval('state') != 'draft'}


class FrozenMixin:
    "Rows of a version: changed while the version is a draft only"
    __slots__ = ()

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        for record in records:
            record.version.check_draft()


class Version(Workflow, ModelSQL, ModelView):
    "Service version (服务版本)"
    __name__ = 'laisui.service.version'

    service = fields.Many2One('laisui.service', "Service", required=True,
        ondelete='CASCADE', states=_DRAFT)
    number = fields.Integer("Version", readonly=True)
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    state_string = state.translated('state')
    description = fields.Text("Description", states=_DRAFT,
        help="What the service gives, in one paragraph for the catalogue.")
    guidance = fields.Text("Guidance", states=_DRAFT,
        help="The 办事指南: who may apply, process, time limits, where to "
        "ask; one paragraph per line.")
    form = fields.Many2One('laisui.form', "Application Form",
        ondelete='RESTRICT', states=_DRAFT,
        domain=[('state', '=', 'published')],
        help="The form applicants fill in (数据表单管理); its published "
        "version.")
    conditions = fields.One2Many('laisui.service.condition', 'version',
        "Eligibility", states=_DRAFT)
    materials = fields.One2Many('laisui.service.material', 'version',
        "Materials", states=_DRAFT)
    sessions_required = fields.Boolean("Choose a Session", states=_DRAFT,
        help="Applicants choose one of the service's open sessions (dates "
        "with a capacity and a waiting list).")
    voucher = fields.Selection(VOUCHERS, "Voucher", states=_DRAFT)
    voucher_title = fields.Char("Voucher Title", states={
            'readonly': Eval('state') != 'draft',
            'invisible': ~Eval('voucher'),
            'required': Bool(Eval('voucher')),
            })
    voucher_days = fields.Integer("Voucher Valid (Days)", states={
            'readonly': Eval('state') != 'draft',
            'invisible': ~Eval('voucher'),
            }, domain=['OR', ('voucher_days', '=', None),
            ('voucher_days', '>', 0)],
        help="Empty: valid until revoked.")
    published_at = fields.Timestamp("Published At", readonly=True)
    published_by = fields.Many2One('res.user', "Published By", readonly=True)
    retired_at = fields.Timestamp("Retired At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('number_unique', Unique(t, t.service, t.number),
                'laisui_services.msg_version_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.service, Index.Equality()),
                (t.state, Index.Equality())))
        cls._order = [('service', 'ASC'), ('number', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'published'),
            ('published', 'retired'),
            }
        cls._buttons.update({
                'publish': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'retire': {
                    'invisible': Eval('state') != 'published',
                    'depends': ['state'],
                    },
                'new_version': {
                    'invisible': Eval('state') == 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    def get_rec_name(self, name):
        return f'{self.service.name} v{self.number}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('service.rec_name',) + tuple(clause[1:])]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            latest = cls.search([('service', '=', values.get('service'))],
                order=[('number', 'DESC')], limit=1)
            values['number'] = (latest[0].number if latest else 0) + 1
        return values

    @classmethod
    def check_modification(cls, mode, versions, values=None,
            external=False):
        super().check_modification(
            mode, versions, values=values, external=external)
        # The buttons move the state and stamp it; nothing else changes a
        # published or retired version.
        stamps = {'state', 'published_at', 'published_by', 'retired_at'}
        if mode == 'delete' or (mode == 'write' and set(values) - stamps):
            for version in versions:
                version.check_draft()

    def check_draft(self):
        if self.state != 'draft':
            raise ServiceError(gettext(
                    'laisui_services.msg_version_frozen',
                    version=self.rec_name, state=self.state_string))

    @classmethod
    def copy(cls, versions, default=None):
        default = dict(default or {})
        for name in ['number', 'published_at', 'published_by',
                'retired_at']:
            default.setdefault(name, None)
        default.setdefault('state', 'draft')
        return super().copy(versions, default=default)

    @classmethod
    @ModelView.button
    def new_version(cls, versions):
        "A draft copy of each version, to change and publish"
        new = cls.copy(versions)
        return {'res_id': [v.id for v in new]}

    @classmethod
    @state_guard('draft')
    @ModelView.button
    @Workflow.transition('published')
    def publish(cls, versions):
        AuditLog = Pool().get('laisui.audit.log')
        for version in versions:
            version.check_publishable()
        services = [v.service.id for v in versions]
        if len(set(services)) < len(services):
            raise ServiceError(gettext(
                    'laisui_services.msg_version_one_published'))
        cls.retire(cls.search([
                    ('service', 'in', services),
                    ('state', '=', 'published'),
                    ]))
        cls.write(versions, {
                'published_at': clock.now(),
                'published_by': Transaction().user or None,
                })
        AuditLog.log_many([{
                    'action': 'state', 'resource': str(v),
                    'from_value': 'draft', 'to_value': 'published',
                    'detail': v.rec_name,
                    } for v in versions])

    @classmethod
    @state_guard('published')
    @ModelView.button
    @Workflow.transition('retired')
    def retire(cls, versions):
        AuditLog = Pool().get('laisui.audit.log')
        cls.write(versions, {'retired_at': clock.now()})
        AuditLog.log_many([{
                    'action': 'state', 'resource': str(v),
                    'from_value': 'published', 'to_value': 'retired',
                    'detail': v.rec_name,
                    } for v in versions])

    def check_publishable(self):
        "Raise ServiceError unless applicants could use the version"
        if not self.description or not self.guidance:
            raise ServiceError(gettext(
                    'laisui_services.msg_version_guidance',
                    version=self.rec_name))
        if self.form and self.form.state != 'published':
            raise ServiceError(gettext(
                    'laisui_services.msg_version_form',
                    version=self.rec_name))
        if self.voucher and not self.voucher_title:
            raise ServiceError(gettext(
                    'laisui_services.msg_version_voucher',
                    version=self.rec_name))

    def required_types(self):
        "The evidence types the version requires"
        return [m.type for m in self.materials if m.required]


class Material(FrozenMixin, sequence_ordered(), ModelSQL, ModelView):
    "Material a service version asks for (申请材料)"
    __name__ = 'laisui.service.material'

    version = fields.Many2One('laisui.service.version', "Version",
        required=True, ondelete='CASCADE')
    type = fields.Many2One('laisui.evidence.type', "Evidence Type",
        required=True, ondelete='RESTRICT')
    required = fields.Boolean("Required")
    trust = fields.Selection(TRUST_LEVELS, "Trust Level", required=True,
        help="How the material is trusted: an uploaded copy, the original "
        "seen at the window, or checked against another system's data.")
    trust_string = trust.translated('trust')
    note = fields.Char("Note", help="What the applicant should upload.")

    @classmethod
    def default_required(cls):
        return True

    @classmethod
    def default_trust(cls):
        return 'copy'
