# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A barred applicant on the portal: refused submission, own entries,
one appeal with evidence."""
import io
import re

from trytond.modules.laisui_base.tests.clamd import ClamdMixin
from trytond.modules.laisui_base.tests.tools import (
    PortalTestMixin, png_bytes)
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction

from .tools import NOW


class IntegrityPortalTestCase(ClamdMixin, PortalTestMixin, RouteTestCase):
    "Integrity pages of the applicant portal"
    module = 'laisui_integrity'
    language = 'zh_CN'

    def bar(self, phone, **policy):
        "Report and confirm false material against the applicant of phone"
        with Transaction().start(self.db_name, 0, context={
                    '_laisui_now': NOW}) as transaction:
            pool = Pool()
            Applicant = pool.get('laisui.applicant')
            Record = pool.get('laisui.integrity.record')
            Policy = pool.get('laisui.integrity.policy')
            if policy:
                Policy.write(Policy.search(
                        [('kind', '=', 'false_material')]), policy)
            applicant, = Applicant.search([('phone', '=', phone)])
            record, = Record.create([{'applicant': applicant.id,
                        'kind': 'false_material',
                        'description': "内部核查：房东否认出租，合同系伪造"}])
            Record.confirm([record])
            entry, = record.entries
            transaction.commit()
            return entry.id

    def count(self, model, domain):
        with Transaction().start(self.db_name, 0):
            return Pool().get(model).search_count(domain)

    def test_barred_submission_and_appeal(self):
        client = self.client()
        phone = '13600136010'
        self.assertEqual(self.register(
                client, phone, '440524199001011221').status_code, 302)
        page = client.get(self.url('/integrity')).text
        self.assertIn('没有被列入诚信黑名单', page)

        entry_id = self.bar(phone)
        facts = self.count('laisui.fact', [])
        response = self.post(client, '/facts', {
                'kind': 'volunteer', 'date_from': '2025-05-01',
                'quantity': '50'})
        self.assertEqual(response.status_code, 400)
        self.assertIn('被列入诚信黑名单', response.text)
        self.assertIn('2031-03-01（含当日）前不能申请“积分申报”', response.text)
        self.assertIn('申诉', response.text)
        self.assertNotIn('房东否认', response.text)
        self.assertEqual(self.count('laisui.fact', []), facts)

        page = client.get(self.url('/integrity')).text
        self.assertIn('提供虚假材料', page)
        self.assertIn('2026-03-02 至 2031-03-01', page)
        self.assertIn('穗府规〔2018〕9号', page)
        self.assertNotIn('房东否认', page)
        self.assertNotIn('CX0', page)

        # Somebody else's entry: 403, audited, nothing lodged.
        other = self.client()
        self.register(other, '13600136011', '11010519491231002X', name="王五")
        denied = self.audit_count('access_denied')
        response = self.post(other, f'/integrity/{entry_id}/appeal',
            {'statement': "这不是我的记录，但我想试试申诉。"},
            token_path='/integrity')
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.audit_count('access_denied'), denied + 1)

        response = self.post(client, f'/integrity/{entry_id}/appeal',
            {'statement': "太短"}, token_path='/integrity')
        self.assertEqual(response.status_code, 400)
        self.assertIn('至少 10 个字', response.text)
        token = self.token(client, '/integrity')
        response = client.post(self.url(f'/integrity/{entry_id}/appeal'),
            data={'csrf_token': token,
                'statement': "租赁合同真实有效，附房东签字的情况说明。",
                'file': (io.BytesIO(png_bytes()), 'shuoming.png')})
        self.assertEqual(response.status_code, 302)
        response = self.post(client, f'/integrity/{entry_id}/appeal',
            {'statement': "再补充一次理由，请重新审查。"},
            token_path='/integrity')
        self.assertEqual(response.status_code, 400)
        self.assertIn('只能申诉一次', response.text)
        self.assertEqual(self.count('laisui.integrity.appeal', []), 1)
        self.assertEqual(self.count('laisui.evidence', [
                    ('type.code', '=', 'integrity_appeal')]), 1)
        page = client.get(self.url('/integrity')).text
        self.assertIn('待处理', page)
        self.assertNotIn('提交申诉</button>', page)

    def test_limited_scope_leaves_points_open(self):
        "An entry for admission only does not stop declaring facts"
        client = self.client()
        phone = '13600136012'
        response = self.register(client, phone, '440104198503151230')
        self.assertEqual(response.status_code, 302, re.findall(r"alert[^<]*<", response.text))
        with Transaction().start(self.db_name, 0) as transaction:
            Service = Pool().get('laisui.integrity.service')
            admission = Service.get('admission')
            transaction.commit()
        self.bar(phone, all_services=False,
            services=[('add', [admission.id])])
        response = self.post(client, '/facts', {
                'kind': 'volunteer', 'date_from': '2025-05-01',
                'quantity': '50'})
        self.assertEqual(response.status_code, 302)
