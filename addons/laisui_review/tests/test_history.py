# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""历史记录 of a review case: its entries, no other case's."""
from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, acting, has_history, history_entries, staff)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction


class HistoryTestCase(ActivatedTestCase):
    "Review case history"
    modules = ['laisui_review']

    @with_transaction()
    def test_case_history(self):
        "The relate is on cases and opens the selected cases' entries"
        AuditLog = Pool().get('laisui.audit.log')
        auditor = staff('auditor', 'group_auditor')
        for resource in ['laisui.review.case,7', 'laisui.review.case,8',
                'laisui.review.step,7']:
            AuditLog.log('state', resource=resource, detail=resource)
        with acting(auditor):
            self.assertTrue(has_history('laisui.review.case'))
            entry, = history_entries('laisui.review.case', [7])
            self.assertEqual(entry.resource, 'laisui.review.case,7')
            # A case that does not exist (any more) by its kind and number
            self.assertEqual(entry.resource_name, '审核案件 #7')
