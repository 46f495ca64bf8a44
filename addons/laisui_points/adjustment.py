# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Staff adjustments of one indicator's points (积分调整).

Nobody changes points alone. Inside a review case the workflow gives the
decision its second person, and the case writes its adjustments approved
(create_decided). Outside a case one person requests an adjustment and
another approves it; only approved adjustments count in statements.
Either way the points stay within the indicator's range, and every
change is audited with its old and new value.
"""
from decimal import Decimal

from sql import Literal

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.audit_diff import AuditedWritesMixin
from trytond.modules.laisui_base.i18n import number_text
from trytond.modules.laisui_base.state_guard import state_guard
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

STATES = [
    ('draft', "Requested"),
    ('approved', "Approved"),
    ('refused', "Refused"),
    ]
# What the requester writes; the rest is the server's.
REQUEST_FIELDS = {'applicant', 'indicator', 'points', 'reason'}
_DIGITS = (16, 2)


def points_range(indicator):
    """(lowest, highest) points an indicator may have, None for no bound:
    from 0 to the cap, or for a deduction from minus the cap to 0"""
    cap = indicator.cap
    if indicator.category == 'deduction':
        return (-cap if cap is not None else None), Decimal(0)
    return Decimal(0), cap


def check_points(indicator, points):
    "ValidationError in zh_CN, naming the indicator, for points out of range"
    low, high = points_range(indicator)
    points = Decimal(points)
    if high is not None and points > high:
        raise ValidationError(gettext('laisui_points.msg_adjustment_above',
                indicator=indicator.name, points=number_text(points),
                cap=number_text(high)))
    if low is not None and points < low:
        raise ValidationError(gettext('laisui_points.msg_adjustment_below',
                indicator=indicator.name, points=number_text(points),
                low=number_text(low)))


class Adjustment(AuditedWritesMixin, Workflow, ModelSQL, ModelView):
    "Staff adjustment of one indicator (积分调整), with its reason"
    __name__ = 'laisui.points.adjustment'

    _readonly = Eval('state') != 'draft'

    applicant = fields.Many2One('laisui.applicant', "Applicant",
        required=True, ondelete='CASCADE', states={'readonly': _readonly})
    indicator = fields.Many2One('laisui.points.indicator', "Indicator",
        required=True, ondelete='RESTRICT', states={'readonly': _readonly})
    points = fields.Numeric("Points", digits=_DIGITS, required=True,
        states={'readonly': _readonly},
        help="The indicator's points after the adjustment.")
    reason = fields.Text("Reason", required=True,
        states={'readonly': _readonly})
    state = fields.Selection(STATES, "State", required=True, readonly=True,
        sort=False)
    state_string = state.translated('state')
    requested_by = fields.Many2One('res.user', "Requested By",
        readonly=True)
    decided_by = fields.Many2One('res.user', "Decided By", readonly=True)
    decided_at = fields.Timestamp("Decided At", readonly=True)
    decided_in = fields.Char("Review Case", readonly=True,
        help="The review case that decided the adjustment; empty when "
        "approved here by a second person.")

    del _readonly

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('id', 'DESC')]
        cls._sql_indexes.add(Index(t, (t.applicant, Index.Equality())))
        cls._transitions |= {
            ('draft', 'approved'),
            ('draft', 'refused'),
            }
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'refuse': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def __register__(cls, module):
        migrate = (backend.TableHandler.table_exist(cls._table)
            and not cls.__table_handler__(module).column_exist('state'))
        super().__register__(module)
        if migrate:
            # Adjustments made before the second person counted at once;
            # deactivated ones no longer counted.
            table = cls.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.update(
                    [table.state, table.decided_at],
                    ['refused', table.create_date]))
            cursor.execute(*table.update([table.state], ['approved'],
                    where=table.active == Literal(True)))

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_requested_by(cls):
        return Transaction().user or None

    def get_rec_name(self, name):
        return f'{self.applicant.rec_name} {self.indicator.name}'

    @classmethod
    def create(cls, vlist):
        if _by_person():
            for values in vlist:
                if (set(values) - REQUEST_FIELDS - {'state'}
                        or values.get('state', 'draft') != 'draft'):
                    raise AccessError(gettext(
                            'laisui_points.msg_adjustment_request_only'))
        return super().create(vlist)

    @classmethod
    def preprocess_values(cls, mode, values):
        Indicator = Pool().get('laisui.points.indicator')
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            # Checked before anything is written; missing values are the
            # required fields' errors.
            if values.get('indicator') and values.get('points') is not None:
                _check_request(Indicator(values['indicator']),
                    values['points'], values.get('reason'))
            if values.get('state', 'draft') == 'draft':
                # Who asked comes from the server, never from the client.
                values['requested_by'] = Transaction().user or None
        return values

    @classmethod
    def create_decided(cls, vlist):
        """Adjustments decided inside a review case: the case's workflow
        gave them their second person, so they count at once. Each value
        dict names its case in `decided_in`."""
        now = clock.now()
        user = Transaction().user or None
        return cls.create([dict(v, state='approved', requested_by=None,
                    decided_by=user, decided_at=now) for v in vlist])

    @classmethod
    def check_modification(cls, mode, adjustments, values=None,
            external=False):
        Indicator = Pool().get('laisui.points.indicator')
        super().check_modification(
            mode, adjustments, values=values, external=external)
        if mode == 'write' and REQUEST_FIELDS & set(values):
            # Before the write, on the values it would leave.
            for adjustment in adjustments:
                indicator = values.get('indicator', adjustment.indicator)
                _check_request(Indicator(int(indicator)),
                    values.get('points', adjustment.points),
                    values.get('reason', adjustment.reason))
        if not external or mode == 'create':
            return
        user = Transaction().user
        for adjustment in adjustments:
            if mode == 'write' and set(values) - REQUEST_FIELDS:
                raise AccessError(gettext(
                        'laisui_points.msg_adjustment_request_only'))
            if adjustment.state != 'draft':
                raise AccessError(gettext(
                        'laisui_points.msg_adjustment_decided',
                        adjustment=adjustment.rec_name,
                        state=adjustment.state_string))
            if (adjustment.requested_by
                    and adjustment.requested_by.id != user):
                raise AccessError(gettext(
                        'laisui_points.msg_adjustment_not_requester',
                        adjustment=adjustment.rec_name,
                        requester=adjustment.requested_by.rec_name))

    @classmethod
    def on_modification(cls, mode, adjustments, field_names=None):
        AuditLog = Pool().get('laisui.audit.log')
        super().on_modification(mode, adjustments, field_names)
        if mode != 'create':
            return
        AuditLog.log_many([{
                    'action': 'create' if a.state == 'draft' else 'adjust',
                    'resource': str(a),
                    'from_value': _line_points(a),
                    'to_value': f'{a.indicator.code}={number_text(a.points)}'
                    f' ({a.state})',
                    'detail': (f'{a.decided_in}：' if a.decided_in else '')
                    + a.reason,
                    } for a in adjustments])
        cls._recompute([a for a in adjustments if a.state == 'approved'])

    @classmethod
    def delete(cls, adjustments):
        AuditLog = Pool().get('laisui.audit.log')
        for adjustment in adjustments:
            if adjustment.state != 'draft':
                # Decided adjustments are history.
                raise AccessError(gettext(
                        'laisui_points.msg_adjustment_delete',
                        adjustment=adjustment.rec_name,
                        state=adjustment.state_string))
        entries = [{
                'action': 'write',
                'resource': str(a),
                'from_value': f'{a.indicator.code}={number_text(a.points)}'
                ' (draft)',
                'to_value': 'deleted',
                'detail': a.reason,
                } for a in adjustments]
        super().delete(adjustments)
        AuditLog.log_many(entries)

    @classmethod
    def _check_second_person(cls, adjustments):
        user = Transaction().user
        for adjustment in adjustments:
            if user and adjustment.requested_by and (
                    adjustment.requested_by.id == user):
                raise AccessError(gettext(
                        'laisui_points.msg_adjustment_same_person',
                        adjustment=adjustment.rec_name))

    @classmethod
    @state_guard('draft')
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, adjustments):
        AuditLog = Pool().get('laisui.audit.log')
        cls._check_second_person(adjustments)
        # The cap may have changed since the request.
        for adjustment in adjustments:
            check_points(adjustment.indicator, adjustment.points)
        entries = [{
                'action': 'adjust',
                'resource': str(a),
                'from_value': _line_points(a),
                'to_value': f'{a.indicator.code}={number_text(a.points)}',
                'detail': a.reason,
                } for a in adjustments]
        cls._decide(adjustments, 'approved')
        AuditLog.log_many(entries)
        cls._recompute(adjustments)

    @classmethod
    @state_guard('draft')
    @ModelView.button
    @Workflow.transition('refused')
    def refuse(cls, adjustments):
        AuditLog = Pool().get('laisui.audit.log')
        cls._check_second_person(adjustments)
        cls._decide(adjustments, 'refused')
        AuditLog.log_many([{
                    'action': 'state',
                    'resource': str(a),
                    'from_value': 'draft',
                    'to_value': 'refused',
                    'detail': a.reason,
                    } for a in adjustments])

    @classmethod
    def _decide(cls, adjustments, state):
        # The state too, before the statement reads the approved ones.
        cls.write(adjustments, {
                'state': state,
                'decided_by': Transaction().user or None,
                'decided_at': clock.now(),
                })

    @classmethod
    def _recompute(cls, adjustments):
        Statement = Pool().get('laisui.points.statement')
        if adjustments:
            Statement.mark_dirty([a.applicant for a in adjustments])


def _by_person():
    "Whether the call comes from a person over RPC, not from server code"
    transaction = Transaction()
    return bool(transaction.user and transaction.check_access)


def _check_request(indicator, points, reason):
    if len((reason or '').strip()) < 4:
        raise ValidationError(gettext('laisui_points.msg_adjustment_reason'))
    check_points(indicator, points)


def _line_points(adjustment):
    "The indicator's points on the applicant's statement before, as text"
    statement = adjustment.applicant.statement
    for line in (statement.lines if statement else []):
        if line.indicator == adjustment.indicator:
            return f'{adjustment.indicator.code}={number_text(line.points)}'
    return None


