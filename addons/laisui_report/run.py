# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Running a report: its parameters asked, the pivot opened"
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, Not
from trytond.wizard import Button, StateAction, StateView, Wizard

from .engine import Parameters
from .exceptions import ReportError


class RunStart(ModelView):
    "Run report"
    __name__ = 'laisui.report.run.start'

    report = fields.Many2One('laisui.report', "Report", readonly=True)
    date_from = fields.Date("From",
        states={'invisible': Not(Eval('has_period', False))},
        help="In Guangzhou days; empty: from the start.")
    date_to = fields.Date("To",
        states={'invisible': Not(Eval('has_period', False))},
        help="Empty: until now.")
    street = fields.Many2One('laisui.street', "Street",
        states={'invisible': Not(Eval('has_street', False))},
        help="Empty: every street.")
    department = fields.Many2One('laisui.department', "Department",
        states={'invisible': Not(Eval('has_department', False))},
        help="Empty: every department.")
    round = fields.Many2One('laisui.admission.round', "Admission Round",
        states={'invisible': Not(Eval('has_round', False))},
        help="Empty: every round.")
    has_period = fields.Boolean("Has Period", readonly=True)
    has_street = fields.Boolean("Has Street", readonly=True)
    has_department = fields.Boolean("Has Department", readonly=True)
    has_round = fields.Boolean("Has Round", readonly=True)


class Run(Wizard):
    "Run report"
    __name__ = 'laisui.report.run'

    start = StateView('laisui.report.run.start',
        'laisui_report.run_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Run", 'open_', 'tryton-launch', default=True),
            ])
    open_ = StateAction('laisui_report.act_execution_pivot')

    def default_start(self, fields):
        report = self.record
        dataset = report.dataset
        defaults = report.period_parameters()
        return {
            'report': report.id,
            'date_from': defaults.date_from,
            'date_to': defaults.date_to,
            'has_period': bool(dataset.date_path),
            'has_street': bool(dataset.street_path),
            'has_department': bool(dataset.department_path),
            'has_round': bool(dataset.round_path),
            }

    def do_open_(self, action):
        Execution = Pool().get('laisui.report.execution')
        start = self.start
        if start.date_from and start.date_to \
                and start.date_from > start.date_to:
            raise ReportError(gettext('laisui_report.msg_period_order',
                    date_from=start.date_from, date_to=start.date_to))
        execution = Execution.run(self.record, Parameters(
                date_from=start.date_from, date_to=start.date_to,
                street=start.street.id if start.street else None,
                department=start.department.id if start.department else None,
                round=start.round.id if start.round else None))
        return execution.pivot_action(), {}
