# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A decision on an integrity record writes only what it decides
(issue 17).

sao writes every widget of the form back into the record before a save:
a selection widget that is being refilled shows its first option, which
in zh_CN (pinyin order) is 其他失信行为. So the save before 认定 or 驳回
sent `kind: other` with the 处理意见, and the record lost its sanction
(the policy of "other" bars nobody). The findings are fixed once
reported; what the decider writes is the note, and the buttons.
"""
import contextlib
import datetime as dt

from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, staff, acting as as_user)
from trytond.modules.laisui_integrity.exceptions import DecisionError
from trytond.modules.laisui_points.tests.tools import make_applicant
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import NOW, report

NOTE = "经核查，租赁合同印章系伪造，予以认定"


@contextlib.contextmanager
def acting(user):
    "As the user over RPC, at NOW"
    with as_user(user), Transaction().set_context(_laisui_now=NOW):
        yield


class DecisionTestCase(ActivatedTestCase):
    "Integrity decisions"
    modules = ['laisui_integrity']

    def reported(self):
        "A record of false material reported by a reviewer, and the admin"
        reviewer = staff('reviewer', 'group_district_reviewer')
        admin = staff('distadmin', 'group_district_admin')
        applicant = make_applicant()
        with acting(reviewer):
            record = report(applicant)
        return record, admin

    def audit(self, record, action):
        AuditLog = Pool().get('laisui.audit.log')
        # Write entries name the record and the field: the field here.
        return [(e.detail.removeprefix(f'{record.rec_name}: '),
                e.from_value, e.to_value, e.success)
            for e in AuditLog.search([
                    ('resource', '=', str(record)),
                    ('action', '=', action),
                    ], order=[('id', 'ASC')])]

    def sao_save(self, record, admin, **values):
        """The save sao sends before a button: the note typed, and the
        category its selection widget showed at that moment"""
        Record = Pool().get('laisui.integrity.record')
        values = dict({'decision_note': NOTE, 'kind': 'other'}, **values)
        with acting(admin):
            Record.write([record], values)

    @with_transaction()
    def test_confirm_after_sao_save(self):
        "Category kept, the 5-year entry created, every change audited"
        pool = Pool()
        Record = pool.get('laisui.integrity.record')
        Entry = pool.get('laisui.integrity.blacklist')
        record, admin = self.reported()
        self.sao_save(record, admin)
        with acting(admin):
            Record.confirm([record])

        record = Record(record.id)
        self.assertEqual(record.kind, 'false_material')
        self.assertEqual(record.decision_note, NOTE)
        self.assertEqual(record.state, 'confirmed')
        self.assertEqual(record.decided_by, admin)
        entry, = Entry.search([('record', '=', record.id)])
        self.assertEqual(entry.kind, 'false_material')
        # Policy of false material: 5 years from the day of the decision.
        self.assertEqual((entry.start_date, entry.end_date),
            (dt.date(2026, 3, 2), dt.date(2031, 3, 1)))
        self.assertEqual(self.audit(record, 'state'),
            [(NOTE, 'reported', 'confirmed', True)])
        writes = self.audit(record, 'write')
        self.assertIn(('decision_note', None, NOTE, True), writes)
        # The category sent with the save is recorded, as not written.
        self.assertIn(('kind', 'false_material', 'other', False), writes)
        self.assertIn(('decided_by', None, admin.rec_name, True), writes)

    @with_transaction()
    def test_dismiss_after_sao_save(self):
        "Dismissed with its note: category kept, nobody barred"
        pool = Pool()
        Record = pool.get('laisui.integrity.record')
        Entry = pool.get('laisui.integrity.blacklist')
        record, admin = self.reported()
        self.sao_save(record, admin,
            decision_note="合同经房东确认真实，不予认定")
        with acting(admin):
            Record.dismiss([record])
        record = Record(record.id)
        self.assertEqual((record.kind, record.state),
            ('false_material', 'dismissed'))
        self.assertEqual(Entry.search([('record', '=', record.id)]), [])
        self.assertEqual(self.audit(record, 'state'),
            [("合同经房东确认真实，不予认定", 'reported', 'dismissed', True)])

    @with_transaction()
    def test_findings_fixed_once_reported(self):
        "Applicant, material and findings sent with a save are not written"
        pool = Pool()
        Record = pool.get('laisui.integrity.record')
        record, admin = self.reported()
        applicant = record.applicant
        other = make_applicant(name="王五", id_number='44010419900101111X',
            phone='13800138001')
        self.sao_save(record, admin, applicant=other.id,
            description="改写的核查意见")
        record = Record(record.id)
        self.assertEqual(record.applicant, applicant)
        self.assertEqual(record.description, "内部核查：租赁合同印章与备案不符")
        self.assertEqual(record.kind, 'false_material')
        self.assertEqual(record.decision_note, NOTE)

    @with_transaction()
    def test_decision_fields_refused(self):
        "A client writing the state or the decider: zh_CN, nothing changed"
        pool = Pool()
        Record = pool.get('laisui.integrity.record')
        Entry = pool.get('laisui.integrity.blacklist')
        record, admin = self.reported()
        for values in [{'state': 'confirmed'}, {'decided_by': admin.id},
                {'decision_note': NOTE, 'decision_date': NOW}]:
            with self.subTest(values=values):
                with acting(admin), self.assertRaises(DecisionError) as cm:
                    Record.write([record], values)
                self.assertIn('只能填写处理意见', cm.exception.message)
                record = Record(record.id)
                self.assertEqual(
                    (record.state, record.decided_by, record.decision_note),
                    ('reported', None, None))
        self.assertEqual(Entry.search([]), [])

    @with_transaction()
    def test_decided_record_fixed(self):
        "After 认定 nobody rewrites the note or the category"
        pool = Pool()
        Record = pool.get('laisui.integrity.record')
        record, admin = self.reported()
        self.sao_save(record, admin)
        with acting(admin):
            Record.confirm([record])
        for values in [{'decision_note': "改写"}, {'kind': 'other'}]:
            with self.subTest(values=values):
                with acting(admin), self.assertRaises(DecisionError) as cm:
                    Record.write([record], values)
                self.assertIn('已认定', cm.exception.message)
        record = Record(record.id)
        self.assertEqual((record.kind, record.decision_note),
            ('false_material', NOTE))
