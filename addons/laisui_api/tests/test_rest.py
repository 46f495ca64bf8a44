# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tryton's plain REST protocol beside the API: a read of many people,
in its read-only transaction, is served and audited as a bulk read
(PostgreSQL refuses an INSERT in a read-only transaction: the audit entry
has a transaction of its own)."""
import secrets

from trytond.modules.laisui_base.personal import BULK_READ
from trytond.modules.laisui_base.tests.tools import committed, staff
from trytond.modules.laisui_connectors.tests.tools import id_number
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction

PEOPLE = BULK_READ + 1


class RestBulkReadTestCase(RouteTestCase):
    "Bulk reads over REST"
    module = 'laisui_api'
    language = 'zh_CN'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = committed(DB_NAME, cls.make_records)

    @classmethod
    def make_records(cls):
        pool = Pool()
        Applicant = pool.get('laisui.applicant')
        Application = pool.get('res.user.application')
        Applicant.create([{'name': f'申请人{n}', 'id_number': id_number(n),
                    'phone': f'1390000{n:04d}'} for n in range(PEOPLE)])
        user = staff('reader01', 'group_district_reviewer')
        key = secrets.token_urlsafe(32)
        Application.create([{'user': user.id, 'application': 'rest',
                    'key': key, 'state': 'validated'}])
        return key

    def bulk_reads(self):
        with Transaction().start(self.db_name, 0):
            AuditLog = Pool().get('laisui.audit.log')
            return [(e.resource, e.to_value, e.user.login) for e in
                AuditLog.search([('action', '=', 'bulk_read')],
                    order=[('id', 'ASC')])]

    def test_bulk_read_served_and_audited(self):
        before = self.bulk_reads()
        response = self.client().get(
            f'/{self.db_name}/rest/model/laisui.applicant'
            f'?f=name&f=id_number_masked&s={PEOPLE + 10}',
            headers={'Authorization': f'bearer {self.key}'})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(len(response.json), PEOPLE)
        self.assertEqual(self.bulk_reads()[len(before):],
            [('laisui.applicant', str(PEOPLE), 'reader01')])
