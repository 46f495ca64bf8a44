# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Reports (报表设计): what a district admin builds without code.

A report is a dataset, a row and an optional column (dataset fields; a
date by day, month or year), a measure, fixed filters, a default period
and a chart; it runs on the server over every row (engine.py), may be
sent on a schedule to a list of users, and monitoring rules watch it
(monitor.py).
"""
import calendar
import datetime as dt
from decimal import Decimal, InvalidOperation

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields, sequence_ordered
from trytond.modules.laisui_base import clock
from trytond.pool import Pool
from trytond.pyson import Eval, In
from trytond.transaction import Transaction

from . import engine
from .dataset import resolve
from .exceptions import DatasetError

UNITS = [
    (None, ""),
    ('day', "Day"),
    ('month', "Month"),
    ('year', "Year"),
    ]
PERIODS = [
    ('all', "All Time"),
    ('today', "Today"),
    ('last_7_days', "Last 7 Days"),
    ('last_30_days', "Last 30 Days"),
    ('this_month', "This Month"),
    ('last_month', "Last Month"),
    ('this_year', "This Year"),
    ('last_year', "Last Year"),
    ]
OPERATORS = [
    ('=', "="),
    ('!=', "≠"),
    ('in', "One Of"),
    ('not in', "None Of"),
    ('>=', "≥"),
    ('<=', "≤"),
    ('>', ">"),
    ('<', "<"),
    ]
_DATES = {'date', 'datetime', 'timestamp'}


def period_dates(period, today):
    "The first and last day of a named period ending today (None: open)"
    if period == 'today':
        return today, today
    if period == 'last_7_days':
        return today - dt.timedelta(days=6), today
    if period == 'last_30_days':
        return today - dt.timedelta(days=29), today
    if period == 'this_month':
        return today.replace(day=1), today
    if period == 'last_month':
        last = today.replace(day=1) - dt.timedelta(days=1)
        return last.replace(day=1), last
    if period == 'this_year':
        return today.replace(month=1, day=1), today
    if period == 'last_year':
        return (dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))
    return None, None


def next_send(schedule, today):
    "The next day a scheduled report is sent after today"
    if schedule == 'daily':
        return today + dt.timedelta(days=1)
    if schedule == 'weekly':
        return today + dt.timedelta(days=7 - today.weekday())
    if schedule == 'monthly':
        days = calendar.monthrange(today.year, today.month)[1]
        return today.replace(day=1) + dt.timedelta(days=days)
    return None


class Report(ModelSQL, ModelView):
    "Report (报表)"
    __name__ = 'laisui.report'

    name = fields.Char("Name", required=True)
    description = fields.Text("Description")
    dataset = fields.Many2One('laisui.report.dataset', "Dataset",
        required=True, ondelete='RESTRICT')
    row = fields.Many2One('laisui.report.dataset.field', "Rows",
        ondelete='RESTRICT',
        domain=[('dataset', '=', Eval('dataset', -1)),
            ('dimension', '=', True)],
        help="Empty: one row, the total.")
    row_unit = fields.Selection(UNITS, "Rows By",
        states={'invisible': ~In(Eval('row_type'), list(_DATES))})
    row_type = fields.Function(fields.Char("Row Type"),
        'on_change_with_row_type')
    column = fields.Many2One('laisui.report.dataset.field', "Columns",
        ondelete='RESTRICT',
        domain=[('dataset', '=', Eval('dataset', -1)),
            ('dimension', '=', True)],
        help="Empty: one column, the measure. At most 12 columns: more "
        "values are added up in 其他.")
    column_unit = fields.Selection(UNITS, "Columns By",
        states={'invisible': ~In(Eval('column_type'), list(_DATES))})
    column_type = fields.Function(fields.Char("Column Type"),
        'on_change_with_column_type')
    aggregate = fields.Selection([
            ('count', "Count"),
            ('sum', "Sum"),
            ('avg', "Average"),
            ('min', "Lowest"),
            ('max', "Highest"),
            ], "Measure", required=True)
    aggregate_string = aggregate.translated('aggregate')
    measure = fields.Many2One('laisui.report.dataset.field', "Of",
        ondelete='RESTRICT',
        domain=[('dataset', '=', Eval('dataset', -1)),
            ('measure', '=', True)],
        states={
            'invisible': Eval('aggregate') == 'count',
            'required': Eval('aggregate') != 'count',
            })
    show = fields.Selection([
            ('value', "Values"),
            ('percent', "Share of the Row (%)"),
            ], "Show", required=True)
    sort = fields.Selection([
            ('key', "By Row"),
            ('value', "Largest First"),
            ], "Row Order", required=True)
    row_limit = fields.Integer("Rows Shown",
        domain=['OR', ('row_limit', '=', None), ('row_limit', '>', 0)],
        help="Empty: every row.")
    chart = fields.Selection([
            ('vbar', "Columns"),
            ('hbar', "Bars"),
            ('line', "Line"),
            ('pie', "Pie"),
            ], "Chart", required=True)
    period = fields.Selection(PERIODS, "Default Period", required=True,
        help="The period a run starts from, and the one scheduled runs "
        "and monitoring rules use.")
    filters = fields.One2Many('laisui.report.filter', 'report', "Filters")
    schedule = fields.Selection([
            ('none', "Not Scheduled"),
            ('daily', "Daily"),
            ('weekly', "Weekly (Mondays)"),
            ('monthly', "Monthly (1st)"),
            ], "Schedule", required=True)
    recipients = fields.Many2Many('laisui.report-res.user', 'report', 'user',
        "Recipients", states={'invisible': Eval('schedule') == 'none'},
        help="The users a scheduled run is sent to.")
    next_send = fields.Date("Next Sending", readonly=True,
        states={'invisible': Eval('schedule') == 'none'})
    executions = fields.One2Many('laisui.report.execution', 'report',
        "Runs", readonly=True)
    monitors = fields.One2Many('laisui.report.monitor', 'report',
        "Monitoring Rules")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('name', 'ASC'), ('id', 'ASC')]
        cls._buttons.update({
                'run': {'icon': 'tryton-launch'},
                })

    @classmethod
    def default_aggregate(cls):
        return 'count'

    @classmethod
    def default_show(cls):
        return 'value'

    @classmethod
    def default_sort(cls):
        return 'key'

    @classmethod
    def default_chart(cls):
        return 'vbar'

    @classmethod
    def default_period(cls):
        return 'all'

    @classmethod
    def default_schedule(cls):
        return 'none'

    @fields.depends('row')
    def on_change_with_row_type(self, name=None):
        return self.row.type if self.row else None

    @fields.depends('column')
    def on_change_with_column_type(self, name=None):
        return self.column.type if self.column else None

    @fields.depends('schedule')
    def on_change_schedule(self):
        self.next_send = next_send(self.schedule, clock.today())

    @classmethod
    def create(cls, vlist):
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            if values.get('schedule', 'none') != 'none':
                values.setdefault('next_send',
                    next_send(values['schedule'], clock.today()))
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        args = []
        for reports, values in zip(actions, actions):
            if 'schedule' in values:
                values = dict(values,
                    next_send=next_send(values['schedule'], clock.today()))
            args.extend((reports, values))
        super().write(*args)

    @classmethod
    def validate_fields(cls, reports, field_names):
        super().validate_fields(reports, field_names)
        for report in reports:
            for axis in [report.row, report.column, report.measure]:
                if axis and axis.dataset != report.dataset:
                    raise DatasetError(gettext(
                            'laisui_report.msg_report_other_dataset',
                            report=report.rec_name, field=axis.rec_name))
            if report.row and report.row == report.column:
                raise DatasetError(gettext(
                        'laisui_report.msg_report_same_axis',
                        report=report.rec_name))

    def domain(self, parameters):
        "The Tryton domain of the rows this run reads"
        dataset = self.dataset
        domain = [f.domain() for f in self.filters]
        if dataset.date_path and (parameters.date_from or parameters.date_to):
            steps = resolve(dataset.model.name, dataset.date_path)
            domain.extend(engine.period_domain(dataset.date_path,
                    steps[-1][1]._type, parameters.date_from,
                    parameters.date_to))
        for name, value in [
                ('street_path', parameters.street),
                ('department_path', parameters.department),
                ('round_path', parameters.round),
                ]:
            path = getattr(dataset, name)
            if path and value:
                domain.append((path, '=', value))
        return domain

    def measure_label(self):
        "The measure in words, e.g. 平均值：积分"
        label = self.aggregate_string
        if self.measure:
            label = f'{label}：{self.measure.name}'
        if self.show == 'percent':
            label += '（%）'
        return label

    def period_parameters(self):
        date_from, date_to = period_dates(self.period, clock.today())
        return engine.Parameters(date_from=date_from, date_to=date_to)

    @classmethod
    @ModelView.button_action('laisui_report.wizard_run')
    def run(cls, reports):
        pass

    @classmethod
    def send_scheduled(cls):
        "Run the reports due today and send them to their recipients"
        pool = Pool()
        Execution = pool.get('laisui.report.execution')
        today = clock.today()
        for report in cls.search([
                    ('schedule', '!=', 'none'),
                    ('next_send', '<=', today),
                    ]):
            execution = Execution.run(report, report.period_parameters(),
                recipients=list(report.recipients))
            execution.notify(report.recipients)
            cls.write([report], {
                    'next_send': next_send(report.schedule, today)})


class ReportRecipient(ModelSQL):
    "Report recipient"
    __name__ = 'laisui.report-res.user'

    report = fields.Many2One('laisui.report', "Report", required=True,
        ondelete='CASCADE')
    user = fields.Many2One('res.user', "User", required=True,
        ondelete='CASCADE')


class ReportFilter(sequence_ordered(), ModelSQL, ModelView):
    "Report filter"
    __name__ = 'laisui.report.filter'

    report = fields.Many2One('laisui.report', "Report", required=True,
        ondelete='CASCADE')
    dataset = fields.Function(fields.Many2One('laisui.report.dataset',
            "Dataset"), 'on_change_with_dataset')
    field = fields.Many2One('laisui.report.dataset.field', "Field",
        required=True, ondelete='RESTRICT',
        domain=[('dataset', '=', Eval('dataset', -1))])
    operator = fields.Selection(OPERATORS, "Operator", required=True)
    value = fields.Char("Value",
        help="A number, a date (2026-09-01), 是 or 否, an option or a "
        "record by its name; several separated by commas for 'one of'.")

    @classmethod
    def default_operator(cls):
        return '='

    @fields.depends('report', '_parent_report.dataset')
    def on_change_with_dataset(self, name=None):
        return self.report.dataset.id if self.report and self.report.dataset \
            else None

    @classmethod
    def validate_fields(cls, filters, field_names):
        super().validate_fields(filters, field_names)
        for filter_ in filters:
            filter_.domain()

    def domain(self):
        "The clause of the filter, its value read as the field's type"
        Model, field = self.field.steps()[-1]
        texts = [t.strip() for t in (self.value or '').replace(
                '，', ',').split(',')] if self.operator in {'in', 'not in'} \
            else [(self.value or '').strip()]
        values = [self._value(Model, field, t) for t in texts if t != '']
        if self.operator in {'in', 'not in'}:
            return (self.field.path, self.operator, values)
        return (self.field.path, self.operator, values[0] if values else None)

    def _value(self, Model, field, text):
        type_ = field._type
        error = DatasetError(gettext('laisui_report.msg_filter_value',
                value=text, field=self.field.name))
        if type_ == 'many2one':
            Target = Pool().get(field.model_name)
            with Transaction().set_context(active_test=False):
                found = Target.search([('rec_name', '=', text)], limit=2)
            if len(found) != 1:
                raise error
            return found[0].id
        if type_ == 'selection':
            selection = Model.fields_get([field.name])[field.name]['selection']
            for value, label in selection:
                if text in {str(value), label}:
                    return value
            raise error
        if type_ == 'boolean':
            if text in {'是', 'true', '1'}:
                return True
            if text in {'否', 'false', '0'}:
                return False
            raise error
        if type_ in _DATES:
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise error
        if type_ in {'integer', 'float', 'numeric'}:
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise error
            return int(number) if type_ == 'integer' else number
        return text

