# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The shortest texts of integrity decisions follow [laisui_integrity]."""
from trytond.modules.laisui_base.tests.test_staff import setting
from trytond.modules.laisui_integrity.exceptions import (
    AppealError, DecisionError)
from trytond.modules.laisui_integrity.tests.tools import NOW, report
from trytond.modules.laisui_points.tests.tools import make_applicant
from trytond.pool import Pool
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction


class IntegrityMinLengthsTestCase(ActivatedTestCase):
    "Minimum lengths of dismiss notes, appeal statements and replies"
    modules = ['laisui_integrity']

    def at(self):
        return Transaction().set_context(_laisui_now=NOW)

    @with_transaction()
    def test_dismiss_note(self):
        "Set to 6: a note of 5 characters is refused, 6 and 7 dismiss"
        Record = Pool().get('laisui.integrity.record')
        with self.at(), setting(
                'laisui_integrity', 'min_dismiss_note_length', '6'):
            applicant = make_applicant()
            for note, dismissed in [
                    ('印章经核真', False), ('印章经核真实', True),
                    ('印章经复核真实', True)]:
                with self.subTest(note=note):
                    record = report(applicant)
                    record.decision_note = note
                    record.save()
                    if dismissed:
                        Record.dismiss([record])
                        self.assertEqual(record.state, 'dismissed')
                    else:
                        with self.assertRaises(DecisionError) as cm:
                            Record.dismiss([record])
                        self.assertIn('至少 6 个字', cm.exception.message)
                        self.assertEqual(record.state, 'reported')

    @with_transaction()
    def test_appeal_statement(self):
        "Set to 4: 3 characters are refused, 4 and 5 lodge the appeal"
        pool = Pool()
        Record = pool.get('laisui.integrity.record')
        Appeal = pool.get('laisui.integrity.appeal')
        with self.at(), setting(
                'laisui_integrity', 'min_appeal_statement_length', '4'):
            applicant = make_applicant()
            with self.assertRaises(AppealError) as cm:
                Appeal._check_statement('材料真')
            self.assertEqual(cm.exception.message, '请填写申诉理由，至少 4 个字。')
            Appeal._check_statement('材料真实')
            record = report(applicant)
            Record.confirm([record])
            entry, = record.entries
            appeal = Appeal.lodge(entry, '材料均真实')
            self.assertEqual(appeal.state, 'pending')
        # The default: 10 characters.
        with self.assertRaises(AppealError):
            Appeal._check_statement('材料均真实有效请复')
        Appeal._check_statement('材料均真实有效请复核')

    @with_transaction()
    def test_appeal_reply(self):
        "Set to 8: a reply of 7 characters is refused, 8 decides"
        pool = Pool()
        Record = pool.get('laisui.integrity.record')
        Appeal = pool.get('laisui.integrity.appeal')
        with self.at(), setting(
                'laisui_integrity', 'min_appeal_reply_length', '8'):
            applicant = make_applicant()
            record = report(applicant)
            Record.confirm([record])
            entry, = record.entries
            appeal = Appeal.lodge(entry, '租赁合同真实有效，附房东证明。')
            appeal.reply = '经复核维持原决'
            appeal.save()
            with self.assertRaises(DecisionError) as cm:
                Appeal.uphold([appeal])
            self.assertIn('至少 8 个字', cm.exception.message)
            self.assertEqual(appeal.state, 'pending')
            appeal.reply = '经复核维持原决定'
            appeal.save()
            Appeal.uphold([appeal])
            self.assertEqual(appeal.state, 'upheld')
