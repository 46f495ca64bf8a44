# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""历史记录 of a review case: its entries, no other case's."""
from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, acting, staff)
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import with_transaction


class HistoryTestCase(ActivatedTestCase):
    "Review case history"
    modules = ['laisui_review']

    @with_transaction()
    def test_case_history(self):
        "The relate is on cases and opens the selected cases' entries"
        pool = Pool()
        Keyword = pool.get('ir.action.keyword')
        AuditLog = pool.get('laisui.audit.log')
        ActWindow = pool.get('ir.action.act_window')
        history = ActWindow(pool.get('ir.model.data').get_id(
                'laisui_base', 'act_audit_history'))
        auditor = staff('auditor', 'group_auditor')
        for resource in ['laisui.review.case,7', 'laisui.review.case,8',
                'laisui.review.step,7']:
            AuditLog.log('state', resource=resource, detail=resource)
        with acting(auditor):
            self.assertIn(history.id, [a['id'] for a in Keyword.get_keyword(
                        'form_relate', ('laisui.review.case', -1))])
            domain = PYSONDecoder({
                    'active_model': 'laisui.review.case',
                    'active_ids': [7],
                    }).decode(history.pyson_domain)
            self.assertEqual(
                [e.resource for e in AuditLog.search(domain)],
                ['laisui.review.case,7'])
            entry, = AuditLog.search(domain)
            # A case that does not exist (any more) by its kind and number
            self.assertEqual(entry.resource_name, '审核案件 #7')
