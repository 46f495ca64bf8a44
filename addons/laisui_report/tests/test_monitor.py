# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Monitoring rules fire once when their condition becomes true and go
back to normal; scheduled reports reach their recipients once per period."""
import datetime as dt
from decimal import Decimal

from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .test_engine import district_admin, outbox, sms_report

# Noon in Guangzhou on 2026-12-01: the last 7 days are 11-25 to 12-01.
NOW = dt.datetime(2026, 12, 1, 4, 0)


def notices(user):
    Notification = Pool().get('res.notification')
    return [n.description for n in Notification.search(
            [('user', '=', user.id)], order=[('id', 'ASC')])]


def monitor(report, **values):
    Monitor = Pool().get('laisui.report.monitor')
    record, = Monitor.create([dict({
                    'name': '测试规则', 'report': report.id,
                    'assignee': district_admin().id}, **values)])
    return record


class MonitorTestCase(ActivatedTestCase):
    modules = ['laisui_report']

    @with_transaction(user=0, context={'_laisui_now': NOW})
    def test_sms_failure_rate_fires_once(self):
        "The seeded rule: a day with failures above 5 % tells its assignee "
        "once, and the rule is normal again when the failures are gone"
        pool = Pool()
        Monitor = pool.get('laisui.report.monitor')
        Message = pool.get('laisui.sms.message')
        AuditLog = pool.get('laisui.audit.log')
        Data = pool.get('ir.model.data')
        admin = district_admin()
        rule = Monitor(Data.get_id('laisui_report', 'monitor_sms_failure'))
        Monitor.write([rule], {'assignee': admin.id})
        messages = outbox()
        Monitor.check([rule])
        rule = Monitor(rule.id)
        # 2026-12-01: the only message failed, 100 %.
        self.assertEqual((rule.state, rule.last_value),
            ('firing', Decimal('100.00')))
        self.assertEqual(len(notices(admin)), 1)
        self.assertIn('短信发送失败率超过 5%', notices(admin)[0])
        self.assertIn('2026-12-01', notices(admin)[0])
        self.assertEqual(rule.last_execution.recipients, (admin,))
        Monitor.check([rule])
        self.assertEqual(len(notices(admin)), 1)
        Message.write([m for m in messages if m.state == 'failed'],
            {'state': 'sent'})
        Monitor.check([rule])
        rule = Monitor(rule.id)
        self.assertEqual((rule.state, rule.last_value), ('ok', None))
        self.assertEqual(len(notices(admin)), 1)
        self.assertEqual([(e.from_value, e.to_value) for e in AuditLog.search(
                        [('resource', '=', str(rule)),
                            ('action', '=', 'state')],
                        order=[('id', 'ASC')])],
            [('ok', 'firing'), ('firing', 'ok')])

    @with_transaction(user=0, context={'_laisui_now': NOW})
    def test_threshold_boundaries(self):
        "Two failures in all: > 2 holds not, ≥ 2 and > 1.99 hold"
        outbox()
        report = sms_report(column='state')
        for operator, threshold, fires in [
                ('>', '2', False), ('>=', '2', True), ('>', '1.99', True),
                ('<', '2', False), ('<=', '2', True)]:
            with self.subTest(operator=operator, threshold=threshold):
                rule = monitor(report, column_key='failed',
                    operator=operator, threshold=Decimal(threshold))
                rule.check([rule])
                self.assertEqual(rule.__class__(rule.id).state,
                    'firing' if fires else 'ok')

    @with_transaction(user=0, context={'_laisui_now': NOW})
    def test_any_cell_names_its_row(self):
        "Any cell: the largest row over the threshold is named"
        outbox()
        report = sms_report(row='state')
        rule = monitor(report, target='cell', operator='>',
            threshold=Decimal(2))
        rule.check([rule])
        self.assertEqual(rule.__class__(rule.id).last_value, 3)
        self.assertIn('已发送 3 > 2', notices(district_admin())[0])

    @with_transaction(user=0, context={'_laisui_now': NOW})
    def test_row_and_column(self):
        "A rule on one row, on one column, on one cell"
        outbox()
        report = sms_report(row='state', column='create_date',
            column_unit='day')
        for row, column, expected in [
                ('failed', None, 2), ('failed', '2026-12-01', 1),
                (None, '2026-11-30', 4), ('sent', '2026-12-01', 0)]:
            with self.subTest(row=row, column=column):
                rule = monitor(report, row_key=row, column_key=column,
                    operator='>', threshold=Decimal(100))
                rule.check([rule])
                self.assertEqual(rule.__class__(rule.id).last_value,
                    expected)

    @with_transaction(user=0, context={'_laisui_now': NOW})
    def test_inactive_rules_not_checked(self):
        pool = Pool()
        Monitor = pool.get('laisui.report.monitor')
        outbox()
        rule = monitor(sms_report(), operator='>', threshold=Decimal(0),
            active=False)
        Monitor.check_all()
        self.assertIsNone(Monitor(rule.id).last_checked)

    @with_transaction(user=0, context={'_laisui_now': NOW})
    def test_schedule_sends_once_a_day(self):
        "A daily report is run for its recipients and due again tomorrow"
        pool = Pool()
        Report = pool.get('laisui.report')
        Execution = pool.get('laisui.report.execution')
        outbox()
        admin = district_admin()
        report = sms_report(row='state')
        Report.write([report], {'schedule': 'daily',
                'recipients': [('add', [admin.id])]})
        self.assertEqual(Report(report.id).next_send, dt.date(2026, 12, 2))
        later = dt.datetime(2026, 12, 2, 1, 0)
        with Transaction().set_context(_laisui_now=later):
            Report.send_scheduled()
            Report.send_scheduled()
        runs = Execution.search([('report', '=', report.id)])
        self.assertEqual(len(runs), 1)
        self.assertEqual(runs[0].recipients, (admin,))
        self.assertEqual(runs[0].total, 6)
        self.assertEqual(notices(admin), ['报表“测试报表”已生成。'])
        self.assertEqual(Report(report.id).next_send, dt.date(2026, 12, 3))

    def test_next_send(self):
        "Daily: tomorrow; weekly: next Monday; monthly: the 1st"
        from trytond.modules.laisui_report.definition import next_send
        friday = dt.date(2026, 12, 4)
        self.assertEqual(next_send('daily', friday), dt.date(2026, 12, 5))
        self.assertEqual(next_send('weekly', friday), dt.date(2026, 12, 7))
        self.assertEqual(next_send('weekly', dt.date(2026, 12, 7)),
            dt.date(2026, 12, 14))
        self.assertEqual(next_send('monthly', friday), dt.date(2027, 1, 1))
        self.assertEqual(next_send('monthly', dt.date(2026, 12, 31)),
            dt.date(2027, 1, 1))
        self.assertIsNone(next_send('none', friday))
