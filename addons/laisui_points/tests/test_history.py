# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""An applicant's history: each change with its old and new value, the
personal ones masked; 历史记录 on the points records."""
from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, acting, has_history, history_entries, staff)
from trytond.modules.laisui_points.tests.tools import make_applicant
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction


class HistoryTestCase(ActivatedTestCase):
    "Applicant history"
    modules = ['laisui_points']

    @with_transaction()
    def test_applicant_changes_masked(self):
        "Address and contact phone are in the history masked, never whole"
        pool = Pool()
        Applicant = pool.get('laisui.applicant')
        AuditLog = pool.get('laisui.audit.log')
        applicant = make_applicant()
        clerk = staff('clerk', 'group_window_clerk')
        auditor = staff('auditor', 'group_auditor')
        with acting(clerk):
            Applicant.write([Applicant(applicant.id)], {
                    'address': "环市东路 1 号 501",
                    'employer': "越秀餐饮有限公司",
                    'contact_phone_masked': '13800138002',
                    })
            Applicant.write([Applicant(applicant.id)], {
                    'name': "陈晓燕",
                    })

        with acting(auditor):
            entries = AuditLog.search([
                    ('resource', '=', str(applicant)),
                    ('action', '=', 'write'),
                    ], order=[('id', 'ASC')])
            self.assertEqual(
                [(e.field_label, e.from_value, e.to_value, e.user.login)
                    for e in entries], [
                    # Set through its masked field, written first
                    ("联系电话", None, "138****8002", 'clerk'),
                    ("居住地址", None, "环市东*********", 'clerk'),
                    ("工作单位", None, "越秀餐饮有限公司", 'clerk'),
                    ("名称", "陈*燕", "陈*燕", 'clerk'),
                    ])
            self.assertEqual({e.resource_name for e in entries},
                {Applicant(applicant.id).rec_name})
        self.assertEqual(entries[0].detail,
            '陈*燕 440524********1221: contact_phone')
        for text in ["501", "13800138002", "陈晓燕", "陈小燕"]:
            self.assertEqual(AuditLog.search(['OR',
                        ('from_value', 'like', f'%{text}%'),
                        ('to_value', 'like', f'%{text}%'),
                        ('detail', 'like', f'%{text}%')]), [])

    @with_transaction()
    def test_history_on_points_records(self):
        "历史记录 is on applicants, statements, indicators and rule sets"
        AuditLog = Pool().get('laisui.audit.log')
        auditor = staff('auditor', 'group_auditor')
        applicant = make_applicant()
        other = make_applicant(name="林一", id_number='440104198001011238',
            phone='13900139000')
        for record in [applicant, other]:
            AuditLog.log('write', resource=record, detail='address')
        with acting(auditor):
            for model in ['laisui.applicant', 'laisui.points.statement',
                    'laisui.points.indicator', 'laisui.points.rule_set']:
                with self.subTest(model=model):
                    self.assertTrue(has_history(model))
            self.assertEqual(
                {e.resource for e in history_entries(
                            'laisui.applicant', [applicant.id])},
                {str(applicant)})
