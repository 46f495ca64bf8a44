# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Runs of a report (查询分析): the figures as they were when it ran.

A run keeps its parameters and its pivot: one row per row value, up to
12 value columns and the row's total. The pivot opens as a list and a
chart whose column titles are the run's own column values (fields_view_get
renames c01…c12 for the run in the context).
"""
import json
import time
from decimal import Decimal

from lxml import etree

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.laisui_base import clock
from trytond.pool import Pool
from trytond.pyson import PYSONEncoder
from trytond.transaction import Transaction, without_check_access

from . import engine

COLUMNS = ['c%02d' % i for i in range(1, engine.MAX_COLUMNS + 1)]


class Execution(ModelSQL, ModelView):
    "Report run (报表运行)"
    __name__ = 'laisui.report.execution'

    report = fields.Many2One('laisui.report', "Report", required=True,
        readonly=True, ondelete='CASCADE')
    executed_at = fields.Timestamp("Run At", readonly=True)
    executed_by = fields.Many2One('res.user', "Run By", readonly=True)
    date_from = fields.Date("From", readonly=True)
    date_to = fields.Date("To", readonly=True)
    street = fields.Many2One('laisui.street', "Street", readonly=True)
    department = fields.Many2One('laisui.department', "Department",
        readonly=True)
    round = fields.Many2One('laisui.admission.round', "Admission Round",
        readonly=True)
    row_title = fields.Char("Rows", readonly=True)
    measure_title = fields.Char("Measure", readonly=True)
    columns = fields.Text("Columns", readonly=True,
        help="The key and title of each value column, as JSON.")
    total = fields.Numeric("Total", digits=(16, 2), readonly=True,
        help="Empty when the measure does not add up (average, lowest, "
        "highest, share).")
    duration = fields.Integer("Duration (ms)", readonly=True)
    rows = fields.One2Many('laisui.report.execution.row', 'execution',
        "Rows", readonly=True)
    recipients = fields.Many2Many('laisui.report.execution-res.user',
        'execution', 'user', "Sent To", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('executed_at', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'open_pivot': {'icon': 'tryton-graph'},
                })

    def get_rec_name(self, name):
        when = clock.to_local(self.executed_at).strftime('%Y-%m-%d %H:%M') \
            if self.executed_at else ''
        return f'{self.report.rec_name} {when}'

    @classmethod
    def run(cls, report, parameters, recipients=None, result=None):
        """Run report for parameters as the current user and keep the
        result (or keep result, computed already)"""
        start = time.monotonic()
        if result is None:
            result = engine.compute(report, parameters)
        duration = int((time.monotonic() - start) * 1000)
        columns = [(engine.key_text(k), label) for k, label in result.columns]
        additive = report.aggregate in {'count', 'sum'} \
            and report.show == 'value'
        # A row total beside a single column would repeat it.
        row_totals = additive and report.column
        rows = []
        for sequence, (key, label) in enumerate(result.rows, 1):
            values = {name: result.cells.get((key, column))
                for name, (column, _) in zip(COLUMNS, result.columns)}
            present = [v for v in values.values() if v is not None]
            rows.append(dict(values, sequence=sequence, label=label,
                    key=engine.key_text(key),
                    total=sum(present, Decimal(0)) if row_totals else None))
        total = sum((v for (r, _), v in result.cells.items()), Decimal(0)) \
            if additive else None
        with without_check_access():
            execution, = cls.create([{
                        'report': report.id,
                        'executed_at': clock.now(),
                        'executed_by': Transaction().user or None,
                        'date_from': parameters.date_from,
                        'date_to': parameters.date_to,
                        'street': parameters.street,
                        'department': parameters.department,
                        'round': parameters.round,
                        'row_title': report.row.name if report.row else '',
                        'measure_title': report.measure_label(),
                        'columns': json.dumps(columns, ensure_ascii=False),
                        'total': total,
                        'duration': duration,
                        'rows': [('create', rows)],
                        'recipients': [('add',
                                [u.id for u in recipients or []])],
                        }])
        return execution

    def titles(self):
        "[(key, title)] of the value columns"
        return json.loads(self.columns or '[]')

    def notify(self, users, text=None):
        "Tell users the run is ready, by a notification opening it"
        Notification = Pool().get('res.notification')
        text = text or gettext('laisui_report.msg_run_sent',
            report=self.report.rec_name)
        with without_check_access():
            Notification.create([{
                        'user': u.id,
                        'label': text[:80],
                        'description': text,
                        'icon': 'tryton-info',
                        'model': self.__name__,
                        'records': str([self.id]),
                        } for u in users])

    @classmethod
    @ModelView.button
    def open_pivot(cls, executions):
        for execution in executions[:1]:
            return execution.pivot_action()

    def pivot_action(self):
        "The action opening this run's pivot and chart"
        pool = Pool()
        Action = pool.get('ir.action')
        Data = pool.get('ir.model.data')
        action = Action.get_action_values('ir.action.act_window', [
                Data.get_id('laisui_report', 'act_execution_pivot')])[0]
        encoder = PYSONEncoder()
        action['name'] = self.rec_name
        action['pyson_domain'] = encoder.encode(
            [('execution', '=', self.id)])
        action['pyson_context'] = encoder.encode(
            {'report_execution': self.id})
        return action


class ExecutionRecipient(ModelSQL):
    "Report run recipient"
    __name__ = 'laisui.report.execution-res.user'

    execution = fields.Many2One('laisui.report.execution', "Run",
        required=True, ondelete='CASCADE')
    user = fields.Many2One('res.user', "User", required=True,
        ondelete='CASCADE')


class ExecutionRow(ModelSQL, ModelView):
    "Report run row"
    __name__ = 'laisui.report.execution.row'

    execution = fields.Many2One('laisui.report.execution', "Run",
        required=True, readonly=True, ondelete='CASCADE')
    sequence = fields.Integer("Sequence", readonly=True)
    key = fields.Char("Key", readonly=True)
    label = fields.Char("Row", readonly=True)
    total = fields.Numeric("Total", digits=(16, 2), readonly=True)
    c01 = fields.Numeric("Column 1", digits=(16, 2), readonly=True)
    c02 = fields.Numeric("Column 2", digits=(16, 2), readonly=True)
    c03 = fields.Numeric("Column 3", digits=(16, 2), readonly=True)
    c04 = fields.Numeric("Column 4", digits=(16, 2), readonly=True)
    c05 = fields.Numeric("Column 5", digits=(16, 2), readonly=True)
    c06 = fields.Numeric("Column 6", digits=(16, 2), readonly=True)
    c07 = fields.Numeric("Column 7", digits=(16, 2), readonly=True)
    c08 = fields.Numeric("Column 8", digits=(16, 2), readonly=True)
    c09 = fields.Numeric("Column 9", digits=(16, 2), readonly=True)
    c10 = fields.Numeric("Column 10", digits=(16, 2), readonly=True)
    c11 = fields.Numeric("Column 11", digits=(16, 2), readonly=True)
    c12 = fields.Numeric("Column 12", digits=(16, 2), readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('execution', 'DESC'), ('sequence', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def fields_view_get(cls, view_id=None, view_type='form', level=None):
        result = super().fields_view_get(view_id, view_type, level)
        execution_id = Transaction().context.get('report_execution')
        if view_type not in {'tree', 'graph'} or not execution_id:
            return result
        Execution = Pool().get('laisui.report.execution')
        executions = Execution.search([('id', '=', execution_id)])
        if not executions:
            return result
        return _pivot_view(result, executions[0], view_type)


def _pivot_view(result, execution, view_type):
    "The view of the rows titled for execution: its columns, its chart"
    titles = execution.titles()
    used = COLUMNS[:len(titles)]
    Row = Pool().get('laisui.report.execution.row')
    fields_ = {k: dict(v) for k, v in result['fields'].items()}
    fields_.update(Row.fields_get(used))
    result = dict(result, fields=fields_)
    # A count has no decimals.
    whole = (execution.report.aggregate == 'count'
        and execution.report.show == 'value')
    for name, (_, title) in zip(used, titles):
        result['fields'][name]['string'] = title
    for name in used + ['total']:
        if whole and name in result['fields']:
            result['fields'][name]['digits'] = (16, 0)
    result['fields']['label']['string'] = (
        execution.row_title or gettext('laisui_report.msg_label_all'))
    arch = etree.fromstring(result['arch'])
    if view_type == 'graph':
        arch.set('type', execution.report.chart)
        y = arch.find('y')
        for node in list(y):
            y.remove(node)
        for name in used:
            etree.SubElement(y, 'field', name=name)
    else:
        for node in arch.findall('field'):
            name = node.get('name')
            if (name in COLUMNS and name not in used) or (
                    name == 'total' and not execution.report.column):
                arch.remove(node)
    result['arch'] = etree.tostring(arch, encoding='unicode')
    return result
