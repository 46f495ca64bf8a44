# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Monitoring rules (监控管理): a condition over a report that tells
someone when it becomes true.

A rule compares the report's total, or its largest (or smallest) cell,
optionally of one row or column only, with a threshold, over the report's
default period. The check runs every hour (cron) and on demand; the
assignee is told when the condition becomes true, not at every check
while it stays true, and the rule goes back to normal when it no longer
holds. Every change of state is audited.
"""
import operator
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.laisui_base import clock
from trytond.pool import Pool

from . import engine

COMPARE = {
    '>': operator.gt, '>=': operator.ge,
    '<': operator.lt, '<=': operator.le,
    }


class Monitor(ModelSQL, ModelView):
    "Monitoring rule (监控规则)"
    __name__ = 'laisui.report.monitor'

    name = fields.Char("Name", required=True)
    report = fields.Many2One('laisui.report', "Report", required=True,
        ondelete='CASCADE')
    target = fields.Selection([
            ('total', "Total"),
            ('cell', "Any Cell"),
            ], "Watch", required=True,
        help="Total: the sum of the cells; any cell: each row's value "
        "(e.g. each department's backlog).")
    row_key = fields.Char("Row",
        help="Only the cells of this row, by its value as the run stores "
        "it (as for the column); empty: every row.")
    column_key = fields.Char("Column",
        help="Only the cells of this column, by its value as the run "
        "stores it (an option's code such as failed, true or false, a "
        "date 2026-11-01); empty: every column.")
    operator = fields.Selection([
            ('>', ">"), ('>=', "≥"), ('<', "<"), ('<=', "≤"),
            ], "Operator", required=True)
    threshold = fields.Numeric("Threshold", digits=(16, 2), required=True)
    assignee = fields.Many2One('res.user', "Assignee", required=True,
        ondelete='RESTRICT', help="Who is told when the rule fires.")
    active = fields.Boolean("Active")
    state = fields.Selection([
            ('ok', "Normal"),
            ('firing', "Fired"),
            ], "State", readonly=True, required=True)
    last_value = fields.Numeric("Last Value", digits=(16, 2), readonly=True)
    last_checked = fields.Timestamp("Last Checked", readonly=True)
    last_fired = fields.Timestamp("Last Fired", readonly=True)
    last_execution = fields.Many2One('laisui.report.execution',
        "Run When Fired", readonly=True, ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'check': {'icon': 'tryton-refresh'},
                })

    @classmethod
    def default_target(cls):
        return 'total'

    @classmethod
    def default_operator(cls):
        return '>'

    @classmethod
    def default_active(cls):
        return True

    @classmethod
    def default_state(cls):
        return 'ok'

    def value(self, result):
        "The watched figure of a report Result, and the row it comes from"
        row_key, column_key = self.row_key or None, self.column_key or None
        cells = [(row, value) for (row, col), value in result.cells.items()
            if (row_key is None or engine.key_text(row) == row_key)
            and (column_key is None or engine.key_text(col) == column_key)]
        if self.target == 'total':
            return sum((v for _, v in cells), Decimal(0)), None
        if not cells:
            return None, None
        pick = max if self.operator in {'>', '>='} else min
        row, value = pick(cells, key=lambda c: c[1])
        return value, row

    @classmethod
    @ModelView.button
    def check(cls, monitors):
        "Evaluate the rules now; fire those whose condition became true"
        pool = Pool()
        Execution = pool.get('laisui.report.execution')
        AuditLog = pool.get('laisui.audit.log')
        now = clock.now()
        for monitor in monitors:
            report = monitor.report
            parameters = report.period_parameters()
            result = engine.compute(report, parameters)
            value, row = monitor.value(result)
            holds = value is not None and COMPARE[monitor.operator](
                value, monitor.threshold)
            values = {'last_value': value, 'last_checked': now}
            if holds and monitor.state == 'ok':
                execution = Execution.run(report, parameters,
                    recipients=[monitor.assignee], result=result)
                labels = dict(result.rows)
                figure = f'{labels[row]} {value}' if row in labels \
                    else str(value)
                execution.notify([monitor.assignee], gettext(
                        'laisui_report.msg_monitor_fired',
                        monitor=monitor.rec_name, figure=figure,
                        operator=monitor.operator,
                        threshold=monitor.threshold))
                values.update(state='firing', last_fired=now,
                    last_execution=execution.id)
            elif not holds and monitor.state == 'firing':
                values['state'] = 'ok'
            if values.get('state'):
                AuditLog.log('state', resource=str(monitor),
                    from_value=monitor.state, to_value=values['state'],
                    detail=f'{monitor.rec_name}: {value}')
            cls.write([monitor], values)

    @classmethod
    def check_all(cls):
        "Cron: every active rule"
        cls.check(cls.search([('active', '=', True)]))
