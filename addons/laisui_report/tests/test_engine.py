# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Reports over the SMS outbox: counts, shares and averages by Guangzhou
day, periods on their boundaries, filters, folding, refusals."""
import datetime as dt
import io
import zipfile
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, acting, staff)
from trytond.modules.laisui_report.engine import Parameters, compute
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

# Guangzhou is UTC+8: 2026-11-30 23:30 UTC is 2026-12-01 07:30 there.
MESSAGES = [
    # (state, attempts, created at, UTC)
    ('sent', 1, dt.datetime(2026, 11, 30, 1, 0)),
    ('sent', 2, dt.datetime(2026, 11, 30, 9, 0)),
    ('delivered', 1, dt.datetime(2026, 11, 30, 15, 59)),
    ('failed', 3, dt.datetime(2026, 11, 30, 10, 0)),
    ('failed', 3, dt.datetime(2026, 11, 30, 23, 30)),
    ('sent', 1, dt.datetime(2026, 11, 29, 15, 59)),
    ]


def outbox(messages=MESSAGES):
    "SMS messages created at the given UTC times"
    pool = Pool()
    Message = pool.get('laisui.sms.message')
    records = Message.create([{
                'phone': '1380013%04d' % i, 'content': '测试',
                'state': state, 'attempts': attempts, 'notice': True,
                } for i, (state, attempts, _) in enumerate(messages)])
    table = Message.__table__()
    cursor = Transaction().connection.cursor()
    for record, (_, _, created) in zip(records, messages):
        cursor.execute(*table.update([table.create_date], [created],
                where=table.id == record.id))
    return records


def seeded(name):
    Data = Pool().get('ir.model.data')
    model, fs_id = {
        'sms_state': ('laisui.report', 'report_sms_state'),
        'sms': ('laisui.report.dataset', 'dataset_sms'),
        }[name]
    return Pool().get(model)(Data.get_id('laisui_report', fs_id))


def sms_report(**values):
    "A report over the SMS dataset"
    pool = Pool()
    Report = pool.get('laisui.report')
    Field = pool.get('laisui.report.dataset.field')
    dataset = seeded('sms')
    fields = {f.path: f for f in Field.search([('dataset', '=', dataset.id)])}
    for axis in ['row', 'column', 'measure']:
        if axis in values:
            values[axis] = fields[values[axis]].id
    report, = Report.create([dict({
                    'name': '测试报表', 'dataset': dataset.id}, **values)])
    return report


def district_admin():
    "The district admin the reports run as (the outbox is theirs to read)"
    User = Pool().get('res.user')
    users = User.search([('login', '=', 'district_reports')])
    return users[0] if users else staff(
        'district_reports', 'group_district_admin')


def run(report, parameters=None):
    "The Result of report, run by a district admin as over RPC"
    with acting(district_admin()):
        return compute(report, parameters or Parameters())


def refused(test, message, func):
    """func(), in a transaction of its own, fails with the zh_CN message;
    the transaction is rolled back as the RPC layer does"""
    with Transaction().new_transaction() as transaction:
        try:
            with test.assertRaisesRegex(UserError, message):
                func()
        finally:
            transaction.rollback()


def grid(result):
    "{(row label, column label): value} of a Result"
    rows, columns = dict(result.rows), dict(result.columns)
    return {(rows[r], columns[c]): v for (r, c), v in result.cells.items()}


class EngineTestCase(ActivatedTestCase):
    modules = ['laisui_report']

    @with_transaction()
    def test_count_by_day_and_state(self):
        "Counts by Guangzhou day and state; 23:30 UTC is the next day"
        outbox()
        report = sms_report(row='create_date', row_unit='day',
            column='state')
        result = run(report)
        self.assertEqual([label for _, label in result.rows],
            ['2026-11-29', '2026-11-30', '2026-12-01'])
        self.assertEqual(grid(result), {
                ('2026-11-29', '已发送'): 1,
                ('2026-11-30', '已发送'): 2,
                ('2026-11-30', '已送达'): 1,
                ('2026-11-30', '失败'): 1,
                ('2026-12-01', '失败'): 1,
                })

    @with_transaction()
    def test_period_boundaries(self):
        "The period is of Guangzhou days: the day before, on, after"
        outbox()
        report = sms_report(column='state')

        def total(date_from, date_to):
            result = run(report, Parameters(
                    date_from=date_from, date_to=date_to))
            return sum(result.cells.values())
        # 2026-11-29 15:59 UTC is 23:59 on the 29th; 15:59 on the 30th
        # still the 30th; 23:30 on the 30th is the 1st.
        self.assertEqual(total(dt.date(2026, 11, 30), dt.date(2026, 11, 30)),
            4)
        self.assertEqual(total(dt.date(2026, 11, 29), dt.date(2026, 11, 29)),
            1)
        self.assertEqual(total(dt.date(2026, 12, 1), dt.date(2026, 12, 1)),
            1)
        self.assertEqual(total(dt.date(2026, 12, 2), None), 0)
        self.assertEqual(total(None, dt.date(2026, 11, 28)), 0)
        self.assertEqual(total(None, None), 6)

    @with_transaction()
    def test_share_of_row(self):
        "The seeded SMS report: each state's share of its day, in per cent"
        outbox()
        result = run(seeded('sms_state'))
        cells = grid(result)
        self.assertEqual(cells['2026-11-30', '失败'], Decimal('25.00'))
        self.assertEqual(cells['2026-11-30', '已发送'], Decimal('50.00'))
        self.assertEqual(cells['2026-11-30', '已送达'], Decimal('25.00'))
        self.assertEqual(cells['2026-12-01', '失败'], Decimal('100.00'))

    @with_transaction()
    def test_average_lowest_highest(self):
        "Measures of a number a district admin added to the dataset"
        pool = Pool()
        Field = pool.get('laisui.report.dataset.field')
        outbox()
        Field.create([{'dataset': seeded('sms').id, 'name': '尝试次数',
                    'path': 'attempts', 'dimension': False,
                    'measure': True}])
        for aggregate, expected in [
                # attempts: sent 1, 2, 1; delivered 1; failed 3, 3
                ('avg', {'已发送': Decimal('1.33'), '已送达': 1,
                        '失败': 3}),
                ('min', {'已发送': 1, '已送达': 1, '失败': 3}),
                ('max', {'已发送': 2, '已送达': 1, '失败': 3}),
                ('sum', {'已发送': 4, '已送达': 1, '失败': 6}),
                ]:
            with self.subTest(aggregate=aggregate):
                report = sms_report(row='state', aggregate=aggregate,
                    measure='attempts', sort='key')
                result = run(report)
                self.assertEqual({label: v for (label, _), v
                        in grid(result).items()}, expected)

    @with_transaction()
    def test_filters(self):
        "Fixed filters read their value as the field's type"
        pool = Pool()
        Filter = pool.get('laisui.report.filter')
        Field = pool.get('laisui.report.dataset.field')
        outbox()
        report = sms_report(row='state')
        state, = Field.search([('dataset', '=', report.dataset.id),
                ('path', '=', 'state')])
        Filter.create([{'report': report.id, 'field': state.id,
                    'operator': 'in', 'value': 'failed，已送达'}])
        result = run(report)
        self.assertEqual({r for r, _ in grid(result)}, {'失败', '已送达'})
        self.assertEqual(sum(result.cells.values()), 3)

    @with_transaction()
    def test_filter_bad_value_refused(self):
        "A value the field does not have: a zh_CN error, nothing saved"
        pool = Pool()
        Filter = pool.get('laisui.report.filter')
        Field = pool.get('laisui.report.dataset.field')
        report = seeded('sms_state')
        state, = Field.search([('dataset', '=', report.dataset.id),
                ('path', '=', 'state')])
        for value, message in [
                ('已撤回', '“已撤回”不是“发送状态”的有效取值'),
                ('sent，撤回', '“撤回”不是“发送状态”的有效取值'),
                ]:
            with self.subTest(value=value):
                refused(self, message, lambda: Filter.create([{
                                'report': report.id, 'field': state.id,
                                'operator': 'in', 'value': value}]))
        self.assertEqual(Filter.search([('report', '=', report.id)]), [])

    @with_transaction()
    def test_columns_folded_or_refused(self):
        "13 days as columns: a count folds the 12th on into 其他, an "
        "average is refused"
        pool = Pool()
        Field = pool.get('laisui.report.dataset.field')
        start = dt.datetime(2026, 11, 1, 2, 0)
        outbox([('sent', 1, start + dt.timedelta(days=i))
                for i in range(13)] + [('sent', 1, start)])
        report = sms_report(column='create_date', column_unit='day')
        result = run(report)
        labels = [label for _, label in result.columns]
        self.assertEqual(len(labels), 12)
        self.assertEqual(labels[0], '2026-11-01')
        self.assertEqual(labels[10], '2026-11-11')
        self.assertEqual(labels[11], '其他')
        self.assertEqual(grid(result)['合计', '2026-11-01'], 2)
        self.assertEqual(grid(result)['合计', '其他'], 2)
        Field.create([{'dataset': report.dataset.id, 'name': '尝试次数',
                    'path': 'attempts', 'dimension': False,
                    'measure': True}])
        average = sms_report(column='create_date', column_unit='day',
            aggregate='avg', measure='attempts')
        with self.assertRaisesRegex(UserError, '最多显示 12 列'):
            run(average)

    @with_transaction()
    def test_dataset_refusals(self):
        "Paths that are not stored, personal or of the wrong type: a zh_CN "
        "error each, nothing saved"
        pool = Pool()
        Field = pool.get('laisui.report.dataset.field')
        Dataset = pool.get('laisui.report.dataset')
        dataset = seeded('sms')
        statement = Dataset(pool.get('ir.model.data').get_id(
                'laisui_report', 'dataset_statement'))
        before = Field.search_count([])
        for target, path, measure, message in [
                (dataset, 'phone', False, '属于个人身份信息'),
                (dataset, 'ip_address', False, '属于个人身份信息'),
                (statement, 'applicant.name', False, '属于个人身份信息'),
                (statement, 'applicant.id_number', False, '属于个人身份信息'),
                (dataset, 'phone_masked', False, '不是该模型已存储的字段'),
                (dataset, 'template.nothing', False, '不是该模型已存储的字段'),
                (dataset, 'content', False, '不能作为行或列'),
                (dataset, 'state', True, '不是数值，不能作为度量'),
                ]:
            with self.subTest(path=path):
                refused(self, message, lambda: Field.create([{
                                'dataset': target.id, 'name': path,
                                'path': path, 'measure': measure}]))
        self.assertEqual(Field.search_count([]), before)
        refused(self, '没有指向“街道”参数', lambda: Dataset.write(
                [Dataset(dataset.id)], {'street_path': 'template'}))
        refused(self, '不是该模型已存储的日期或时间字段', lambda: Dataset.write(
                [Dataset(dataset.id)], {'date_path': 'state'}))
        self.assertIsNone(Dataset(dataset.id).street_path)
        self.assertEqual(Dataset(dataset.id).date_path, 'create_date')

    @with_transaction()
    def test_run_keeps_pivot_and_exports(self):
        "A run keeps the pivot; its XLSX has the cells and a chart; the "
        "download is audited"
        pool = Pool()
        Execution = pool.get('laisui.report.execution')
        AuditLog = pool.get('laisui.audit.log')
        XLSX = pool.get('laisui.report.execution.xlsx', type='report')
        outbox()
        report = sms_report(row='state', sort='key')
        with acting(district_admin()):
            execution = Execution.run(report, Parameters())
        self.assertEqual(execution.total, 6)
        self.assertEqual([(r.label, r.c01, r.total) for r in execution.rows],
            [('已发送', 3, None), ('已送达', 1, None), ('失败', 2, None)])
        with acting(district_admin()):
            oext, content, _, _ = XLSX.execute([execution.id], {})
        self.assertEqual(oext, 'xlsx')
        import openpyxl
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
        self.assertEqual(rows, [
                ['发送状态', '计数'],
                ['已发送', 3], ['已送达', 1], ['失败', 2],
                ['合计', 6]])
        names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        self.assertIn('xl/charts/chart1.xml', names)
        self.assertEqual(AuditLog.search_count([('action', '=', 'export'),
                    ('resource', '=', str(execution))]), 1)

    @with_transaction()
    def test_runs_private(self):
        "A district admin's run is theirs: a reviewer neither reads it nor "
        "downloads it, and cannot run a report over data they may not read"
        pool = Pool()
        Execution = pool.get('laisui.report.execution')
        XLSX = pool.get('laisui.report.execution.xlsx', type='report')
        outbox()
        report = seeded('sms_state')
        admin = staff('district_a', 'group_district_admin')
        reviewer = staff('reviewer_b', 'group_district_reviewer')
        with acting(admin):
            mine = Execution.run(report, Parameters())
            self.assertEqual(Execution.search([]), [mine])
        with acting(reviewer):
            self.assertEqual(Execution.search([]), [])
            with self.assertRaises(AccessError):
                XLSX.execute([mine.id], {})
            # The outbox is the district admins' to read.
            with self.assertRaises(AccessError):
                Execution.run(report, Parameters())
        self.assertEqual(Execution.search_count([]), 1)

    @with_transaction()
    def test_pivot_view_titled_for_the_run(self):
        "The pivot's columns are titled with the run's own column values"
        pool = Pool()
        Execution = pool.get('laisui.report.execution')
        Row = pool.get('laisui.report.execution.row')
        outbox()
        with acting(district_admin()):
            execution = Execution.run(seeded('sms_state'), Parameters())
        with Transaction().set_context(report_execution=execution.id):
            tree = Row.fields_view_get(view_type='tree')
            graph = Row.fields_view_get(view_type='graph')
        self.assertEqual([tree['fields'][c]['string']
                for c in ['c01', 'c02', 'c03']], ['已发送', '已送达', '失败'])
        self.assertNotIn('c04', tree['arch'])
        self.assertIn('type="line"', graph['arch'])
        self.assertIn('c03', graph['arch'])
