# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The personal information notice (个人信息处理说明), in versions.

An applicant consents to the notice in force when registering, and the
account keeps that version (web.user consent_version). What was consented
to must stay readable as it was: a published version never changes and
is never deleted; a change is a new version. The current version is the
newest published one already in force; publications come in the order of
their dates, and none takes effect before the day it is published.

The text is not translated: the version consented to is the text shown.
"""
import re

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, Workflow, fields
from trytond.model.exceptions import AccessError, ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval

from . import clock
from .audit_diff import AuditedDiffMixin
from .plain_text import blocks
from .state_guard import state_guard

# The version is the last part of its address (/privacy/<version>).
_VERSION = re.compile(r'[0-9A-Za-z][0-9A-Za-z.\-]{0,19}')

_DRAFT = {'readonly': Eval('state') != 'draft'}


class PrivacyNotice(AuditedDiffMixin, Workflow, ModelSQL, ModelView):
    "Personal information notice (个人信息处理说明)"
    __name__ = 'laisui.privacy_notice'
    _rec_name = 'version'
    # The publication has an entry of its own.
    _audit_diff_skip = frozenset({'state', 'published_at'})

    version = fields.Char("Version", required=True, states=_DRAFT,
        help="As in the page's address /privacy/<version>: letters, digits, "
        "\".\" and \"-\".")
    valid_from = fields.Date("Valid From", required=True, states=_DRAFT,
        help="The first day the version applies to registrations.")
    text = fields.Text("Text", required=True, states=_DRAFT)
    state = fields.Selection([
            ('draft', "Draft"),
            ('published', "Published"),
            ], "State", required=True, readonly=True)
    published_at = fields.Timestamp("Published At", readonly=True)
    current = fields.Function(fields.Boolean("Current"), 'get_current')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('version_unique', Unique(t, t.version),
                'laisui_base.msg_privacy_notice_version_unique'),
            ]
        cls._order = [('valid_from', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'published')}
        cls._buttons.update({
                'publish': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def current_notice(cls, date=None):
        "The version in force on date (today by default), or None"
        date = date or clock.today()
        notices = cls.search([
                ('state', '=', 'published'),
                ('valid_from', '<=', date),
                ], order=[('valid_from', 'DESC'), ('id', 'DESC')], limit=1)
        return notices[0] if notices else None

    @classmethod
    def get_current(cls, notices, name):
        current = cls.current_notice()
        return {n.id: n == current for n in notices}

    def blocks(self):
        return blocks(self.text)

    @classmethod
    def validate_fields(cls, notices, field_names):
        super().validate_fields(notices, field_names)
        if field_names and 'version' not in field_names:
            return
        for notice in notices:
            if not _VERSION.fullmatch(notice.version or ''):
                raise ValidationError(gettext(
                        'laisui_base.msg_privacy_notice_version_invalid',
                        version=notice.version))

    @classmethod
    def check_modification(cls, mode, notices, values=None,
            external=False):
        super().check_modification(
            mode, notices, values=values, external=external)
        if mode in {'write', 'delete'}:
            for notice in notices:
                if notice.state == 'published':
                    raise AccessError(gettext(
                            'laisui_base.msg_privacy_notice_published',
                            version=notice.version))

    @classmethod
    def copy(cls, notices, default=None):
        default = default.copy() if default else {}
        default.setdefault('state', 'draft')
        default.setdefault('published_at', None)
        default.setdefault('version', lambda data: f"{data['version']}-1")
        return super().copy(notices, default=default)

    @classmethod
    @state_guard('draft')
    @ModelView.button
    @Workflow.transition('published')
    def publish(cls, notices):
        pool = Pool()
        AuditLog = pool.get('laisui.audit.log')
        today = clock.today()
        for notice in notices:
            if notice.valid_from < today:
                raise ValidationError(gettext(
                        'laisui_base.msg_privacy_notice_past',
                        version=notice.version, date=notice.valid_from,
                        today=today))
            later = cls.search([
                    ('state', '=', 'published'),
                    ('valid_from', '>=', notice.valid_from),
                    ], limit=1)
            if later:
                raise ValidationError(gettext(
                        'laisui_base.msg_privacy_notice_not_newest',
                        version=notice.version, date=notice.valid_from,
                        other=later[0].version,
                        other_date=later[0].valid_from))
        cls.write(notices, {'published_at': clock.now()})
        AuditLog.log_many([{
                    'action': 'state',
                    'resource': str(n),
                    'from_value': 'draft',
                    'to_value': 'published',
                    'detail': f'{n.version}: {n.valid_from}',
                    } for n in notices])
