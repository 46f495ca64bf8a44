# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The applicant corrects what they declared on the portal: facts, family
members, evidence and the profile's address, employer and contact phone;
and asks for their name or ID number to be corrected.

Every refused change is asserted twice: the zh_CN message on the page, and
the record as it was."""
import datetime as dt
import io
import re
from unittest import mock

from trytond.modules.laisui_base.tests.clamd import ClamdMixin
from trytond.modules.laisui_base.tests.tools import (
    PortalTestMixin, png_bytes)
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction

REVIEW = '积分核定申请 P2026-000012'
NOT_FOUND = '页面不存在'


def edit_links(page):
    "The ids of the rows that offer 修改 / 删除, by kind"
    return re.findall(r'/(facts|family|evidence)/(\d+)/(edit|delete)"', page)


class PortalCorrectionsTestCase(
        ClamdMixin, PortalTestMixin, RouteTestCase):
    "Applicant corrections on the portal"
    module = 'laisui_points'
    language = 'zh_CN'

    # Helpers -------------------------------------------------------------
    def applicant(self, phone):
        "The applicant's id"
        with Transaction().start(self.db_name, 0):
            Applicant = Pool().get('laisui.applicant')
            applicant, = Applicant.search([('phone', '=', phone)])
            return applicant.id

    def fact(self, client, **values):
        "Declare a fact on the portal, return its id"
        response = self.post(client, '/facts', values)
        self.assertEqual(response.status_code, 302, response.text[-2000:])
        with Transaction().start(self.db_name, 0):
            Fact = Pool().get('laisui.fact')
            return Fact.search([], order=[('id', 'DESC')], limit=1)[0].id

    def read(self, model, record_id, names):
        "The values of the record's fields, or None if it is gone"
        with Transaction().start(self.db_name, 0):
            Model = Pool().get(model)
            records = Model.search([('id', '=', record_id)])
            if not records:
                return None
            record, = records
            return {n: getattr(record, n) for n in names}

    def audits(self, action, resource):
        with Transaction().start(self.db_name, 0):
            AuditLog = Pool().get('laisui.audit.log')
            return [(e.from_value, e.to_value) for e in AuditLog.search([
                        ('action', '=', action),
                        ('resource', '=', resource),
                        ], order=[('id', 'ASC')])]

    def locked(self):
        "A review under way of the applicants' documents"
        with Transaction().start(self.db_name, 0):
            Applicant = Pool().get('laisui.applicant')
        return mock.patch.object(Applicant, 'documents_under_review',
            lambda self: [REVIEW])

    def upload(self, client, type_code='diploma'):
        with Transaction().start(self.db_name, 0):
            Type = Pool().get('laisui.evidence.type')
            type_, = Type.search([('code', '=', type_code)])
            type_id = type_.id
        response = client.post(self.url('/evidence'), data={
                'csrf_token': self.token(client, '/evidence'),
                'type': str(type_id),
                'file': (io.BytesIO(png_bytes()), 'scan.png'),
                }, content_type='multipart/form-data')
        self.assertEqual(response.status_code, 302, response.text[-2000:])
        with Transaction().start(self.db_name, 0):
            Evidence = Pool().get('laisui.evidence')
            return Evidence.search([], order=[('id', 'DESC')], limit=1)[0].id

    def type_id(self, code):
        with Transaction().start(self.db_name, 0):
            Type = Pool().get('laisui.evidence.type')
            type_, = Type.search([('code', '=', code)])
            return type_.id

    # Facts -----------------------------------------------------------------
    def test_fact_edit(self):
        "The create form, pre-filled; every error at once, nothing changed"
        client = self.client()
        self.register(client, '13600137001', '440104199001011275', "冯十")
        fact_id = self.fact(client, kind='education', level='bachelor',
            date_from='2010-07-01')
        page = client.get(self.url('/facts')).text
        self.assertIn(('facts', str(fact_id), 'edit'), edit_links(page))
        self.assertIn(('facts', str(fact_id), 'delete'), edit_links(page))

        page = client.get(self.url(f'/facts/{fact_id}/edit')).text
        self.assertIn('修改积分资料', page)
        self.assertIn('value="2010-07-01"', page)
        self.assertIn('<option value="bachelor" selected>本科</option>', page)
        self.assertIn('保存修改', page)

        response = self.post(client, f'/facts/{fact_id}/edit', {
                'kind': 'education', 'level': 'patent',
                'date_from': '2010-07-01', 'date_to': '2009-01-01',
                'quantity': 'abc', 'description': "夜大"})
        self.assertEqual(response.status_code, 400)
        page = response.text
        self.assertIn('请修改以下 3 处后再提交', page)
        self.assertIn('请为“文化程度”选择有效的等级。', page)
        self.assertIn('结束日期不能早于开始日期。', page)
        self.assertIn('请输入数字。', page)
        # Tied to their fields, typed values kept
        self.assertIn('id="error-date_to"', page)
        self.assertIn('id="error-quantity"', page)
        self.assertIn('value="abc"', page)
        self.assertIn('value="夜大"', page)
        self.assertEqual(self.read('laisui.fact', fact_id,
                ['level', 'date_to', 'description']),
            {'level': 'bachelor', 'date_to': None, 'description': None})

        response = self.post(client, f'/facts/{fact_id}/edit', {
                'kind': 'education', 'level': 'master',
                'date_from': '2012-07-01', 'description': "在职"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.read('laisui.fact', fact_id,
                ['level', 'date_from', 'description']),
            {'level': 'master', 'date_from': dt.date(2012, 7, 1),
                'description': "在职"})
        self.assertEqual(self.audits('write', f'laisui.fact,{fact_id}'),
            [('文化程度 本科 2010-07-01', '文化程度 硕士研究生 2012-07-01 在职')])

    def test_fact_delete(self):
        "Delete asks on a page, then deletes on a POST, audited"
        client = self.client()
        self.register(client, '13600137002', '440104199001011291', "褚十一")
        fact_id = self.fact(client, kind='volunteer', quantity='50',
            date_from='2017-05-01')
        page = client.get(self.url(f'/facts/{fact_id}/delete')).text
        self.assertIn('确定删除“志愿服务 2017-05-01 50”吗？', page)
        self.assertRegex(page, r'<form method="post" action="[^"]*/facts/'
            rf'{fact_id}/delete"')
        self.assertIsNotNone(self.read('laisui.fact', fact_id, ['kind']))
        # Not over GET without the token
        response = client.post(self.url(f'/facts/{fact_id}/delete'))
        self.assertEqual(response.status_code, 403)
        self.assertIsNotNone(self.read('laisui.fact', fact_id, ['kind']))
        response = self.post(client, f'/facts/{fact_id}/delete', {})
        self.assertEqual(response.status_code, 302)
        self.assertIsNone(self.read('laisui.fact', fact_id, ['kind']))
        self.assertEqual(self.audits('delete', f'laisui.fact,{fact_id}'),
            [('志愿服务 2017-05-01 50', None)])

    def test_facts_of_departments(self):
        """What a department or source system recorded shows its source
        and no buttons; a POST for it changes nothing"""
        client = self.client()
        phone = '13600137003'
        self.register(client, phone, '440524198001010013', "卫三")
        applicant_id = self.applicant(phone)
        with Transaction().start(self.db_name, 0) as transaction:
            Fact = Pool().get('laisui.fact')
            external, credit = Fact.create([{
                        'applicant': applicant_id, 'kind': 'insurance',
                        'level': 'pension', 'source': 'external',
                        'date_from': dt.date(2015, 1, 1)}, {
                        'applicant': applicant_id, 'kind': 'credit',
                        'source': 'declared',
                        'date_from': dt.date(2020, 1, 1)}])
            ids = [external.id, credit.id]
            transaction.commit()
        page = client.get(self.url('/facts')).text
        self.assertEqual(edit_links(page), [])
        self.assertIn('<td data-label="来源">部门数据</td>', page)
        self.assertEqual(page.count('部门或系统数据，不可修改'), 2)
        message = '此信息来自部门或数据源系统，您不能修改或删除。'
        for fact_id in ids:
            for action, data in [('edit', {'kind': 'insurance',
                            'level': 'medical', 'date_from': '2016-01-01'}),
                    ('delete', {})]:
                with self.subTest(fact=fact_id, action=action):
                    response = self.post(client,
                        f'/facts/{fact_id}/{action}', data,
                        token_path='/facts')
                    self.assertEqual(response.status_code, 400)
                    self.assertIn(message, response.text)
        self.assertEqual(self.read('laisui.fact', ids[0],
                ['level', 'date_from']),
            {'level': 'pension', 'date_from': dt.date(2015, 1, 1)})
        self.assertIsNotNone(self.read('laisui.fact', ids[1], ['kind']))

    # Whose records ----------------------------------------------------------
    def test_others_records_not_found(self):
        "Another applicant's ids answer 404, change nothing, are audited"
        alice, bob = self.client(), self.client()
        self.register(alice, '13600137004', '110101200002290018', "赵甲")
        self.register(bob, '13600137005', '440104199001011232', "钱乙")
        fact_id = self.fact(bob, kind='education', level='bachelor',
            date_from='2010-07-01')
        self.assertEqual(self.post(bob, '/family', {'relation': 'child',
                    'name': "钱小乙", 'id_number': '440104201303030017'}
                ).status_code, 302)
        with Transaction().start(self.db_name, 0):
            Member = Pool().get('laisui.family.member')
            member_id, = [m.id for m in Member.search(
                    [('applicant.phone', '=', '13600137005')])]
        evidence_id = self.upload(bob)
        denied = self.audit_count('access_denied')
        paths = [f'/facts/{fact_id}', f'/family/{member_id}',
            f'/evidence/{evidence_id}']
        for path in paths:
            for action in ['edit', 'delete']:
                with self.subTest(path=path, action=action):
                    response = alice.get(self.url(f'{path}/{action}'))
                    self.assertEqual(response.status_code, 404)
                    self.assertIn(NOT_FOUND, response.text)
                    response = self.post(alice, f'{path}/{action}', {
                            'kind': 'education', 'level': 'master',
                            'date_from': '2011-01-01', 'name': "改名",
                            'id_number': '440104201303030017',
                            'type': str(self.type_id('diploma'))},
                        token_path='/facts')
                    self.assertEqual(response.status_code, 404)
                    self.assertNotIn('钱', response.text)
        self.assertEqual(self.audit_count('access_denied'), denied + 12)
        self.assertEqual(self.read('laisui.fact', fact_id, ['level']),
            {'level': 'bachelor'})
        self.assertEqual(self.read('laisui.family.member', member_id,
                ['name']), {'name': "钱小乙"})
        self.assertIsNotNone(
            self.read('laisui.evidence', evidence_id, ['type']))
        # Nor may an upload name somebody else's fact.
        response = self.post(alice, '/evidence', {}, token_path='/facts')
        self.assertEqual(response.status_code, 400)

    # A review under way -------------------------------------------------------
    def test_locked_while_under_review(self):
        """While a document is under review the pages say which and offer
        no buttons; every change is refused and nothing changes"""
        client = self.client()
        phone = '13600137006'
        self.register(client, phone, '44010419900101111X', "孙丙")
        fact_id = self.fact(client, kind='education', level='bachelor',
            date_from='2010-07-01')
        self.post(client, '/family', {'relation': 'child', 'name': "孙小丙",
                'id_number': '440104201303030017'})
        evidence_id = self.upload(client)
        with Transaction().start(self.db_name, 0):
            Member = Pool().get('laisui.family.member')
            member_id, = [m.id for m in Member.search(
                    [('applicant.phone', '=', phone)])]
        message = (f'“{REVIEW}”正在审核中，审核要用到这些信息：'
            '审核结束或退回补正后才能修改或删除。')
        with self.locked():
            for path in ['/facts', '/family', '/evidence', '/profile']:
                with self.subTest(path=path):
                    page = client.get(self.url(path)).text
                    self.assertIn(message, page)
                    self.assertEqual(edit_links(page), [])
            self.assertNotIn('id="profile-form"',
                client.get(self.url('/profile')).text)
            for path, data in [
                    (f'/facts/{fact_id}/edit', {'kind': 'education',
                            'level': 'master', 'date_from': '2011-01-01'}),
                    (f'/facts/{fact_id}/delete', {}),
                    (f'/family/{member_id}/edit', {'relation': 'child',
                            'name': "改名字", 'id_number': '440104201303030017'}),
                    (f'/family/{member_id}/delete', {}),
                    (f'/evidence/{evidence_id}/edit',
                        {'type': str(self.type_id('diploma'))}),
                    (f'/evidence/{evidence_id}/delete', {}),
                    ('/profile', {'address': "环市东路 1 号"}),
                    ]:
                with self.subTest(path=path):
                    response = self.post(client, path, data,
                        token_path='/facts')
                    self.assertEqual(response.status_code, 400)
                    self.assertIn(message, response.text)
            # Nor a new fact: the statement under review would change.
            self.assertNotIn('新增申报', client.get(self.url('/facts')).text)
            response = self.post(client, '/facts', {'kind': 'education',
                    'level': 'master', 'date_from': '2011-01-01'})
            self.assertEqual(response.status_code, 400)
            self.assertIn(f'“{REVIEW}”正在审核中：审核结束或退回补正后才能新增申报。',
                response.text)
        self.assertEqual(self.read('laisui.fact', fact_id, ['level']),
            {'level': 'bachelor'})
        with Transaction().start(self.db_name, 0):
            Fact = Pool().get('laisui.fact')
            self.assertEqual(Fact.search_count(
                    [('applicant.phone', '=', phone)]), 1)
        self.assertEqual(self.read('laisui.family.member', member_id,
                ['name']), {'name': "孙小丙"})
        with Transaction().start(self.db_name, 0):
            Fact = Pool().get('laisui.fact')
            self.assertEqual(Fact.search_count(
                    [('applicant.phone', '=', phone)]), 1)
        self.assertIsNotNone(
            self.read('laisui.evidence', evidence_id, ['type']))
        self.assertEqual(self.read('laisui.applicant',
                self.applicant(phone), ['address']), {'address': None})
        # Once the review ends: the buttons again
        page = client.get(self.url('/facts')).text
        self.assertNotIn('正在审核中', page)
        self.assertIn(('facts', str(fact_id), 'edit'), edit_links(page))

    # Family ------------------------------------------------------------------
    def test_family_edit_and_delete(self):
        client = self.client()
        phone = '13600137007'
        self.register(client, phone, '440104198805123518', "周丁")
        self.post(client, '/family', {'relation': 'child', 'name': "周小丁",
                'id_number': '440104201303030017'})
        with Transaction().start(self.db_name, 0):
            Member = Pool().get('laisui.family.member')
            member_id, = [m.id for m in Member.search(
                    [('applicant.phone', '=', phone)])]
        page = client.get(self.url(f'/family/{member_id}/edit')).text
        self.assertIn('修改家庭成员', page)
        self.assertIn('value="周小丁"', page)
        # The number masked, as everywhere
        self.assertIn('value="440104********0017"', page)
        self.assertNotIn('440104201303030017', page)

        response = self.post(client, f'/family/{member_id}/edit', {
                'relation': 'child', 'name': "周",
                'id_number': '440104201303030018'})
        self.assertEqual(response.status_code, 400)
        self.assertIn('请修改以下 2 处后再提交', response.text)
        self.assertIn('请输入真实姓名（2至30个字）。', response.text)
        self.assertIn('身份证号码校验位错误', response.text)
        self.assertIn('value="440104201303030018"', response.text)
        # The applicant's own number is no family member's
        response = self.post(client, f'/family/{member_id}/edit', {
                'relation': 'spouse', 'name': "周丁",
                'id_number': '440104198805123518'})
        self.assertEqual(response.status_code, 400)
        self.assertIn('家庭成员不能是申请人本人。', response.text)
        self.assertEqual(self.read('laisui.family.member', member_id,
                ['name', 'id_number', 'relation']),
            {'name': "周小丁", 'id_number': '440104201303030017',
                'relation': 'child'})

        # The masked number sent back keeps the number.
        response = self.post(client, f'/family/{member_id}/edit', {
                'relation': 'child', 'name': "周小叮",
                'id_number': '440104********0017'})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.read('laisui.family.member', member_id,
                ['name', 'id_number']),
            {'name': "周小叮", 'id_number': '440104201303030017'})
        # Another masked text is no number.
        response = self.post(client, f'/family/{member_id}/edit', {
                'relation': 'child', 'name': "周小叮",
                'id_number': '440104********0018'})
        self.assertEqual(response.status_code, 400)
        self.assertIn('id="error-id_number"', response.text)

        response = self.post(client, f'/family/{member_id}/edit', {
                'relation': 'child', 'name': "周晓丁",
                'id_number': '440104201404040011'})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.read('laisui.family.member', member_id,
                ['name', 'id_number', 'birth_date']),
            {'name': "周晓丁", 'id_number': '440104201404040011',
                'birth_date': dt.date(2014, 4, 4)})
        resource = f'laisui.family.member,{member_id}'
        # Masked in the audit
        # The model's entries of each field, the portal's of the change:
        # names and numbers masked
        self.assertEqual(self.audits('write', resource), [
                ('周*丁', '周*叮'),
                ('周*丁（440104********0017）', '周*叮（440104********0017）'),
                ('周*叮', '周*丁'),
                ('440104********0017', '440104********0011'),
                ('周*叮（440104********0017）', '周*丁（440104********0011）'),
                ])

        page = client.get(self.url(f'/family/{member_id}/delete')).text
        self.assertIn('确定删除“周晓丁（440104********0011）”吗？', page)
        response = self.post(client, f'/family/{member_id}/delete', {})
        self.assertEqual(response.status_code, 302)
        self.assertIsNone(
            self.read('laisui.family.member', member_id, ['name']))
        self.assertEqual(self.audits('delete', resource),
            [('周*丁（440104********0011）', None)])

    # Evidence -------------------------------------------------------------------
    def test_evidence_edit_and_delete(self):
        client = self.client()
        phone = '13600137008'
        self.register(client, phone, '440104198805123737', "吴戊")
        fact_id = self.fact(client, kind='education', level='bachelor',
            date_from='2010-07-01')
        evidence_id = self.upload(client)
        page = client.get(self.url(f'/evidence/{evidence_id}/edit')).text
        self.assertIn('修改证明材料', page)
        self.assertNotIn('type="file"', page)
        response = self.post(client, f'/evidence/{evidence_id}/edit', {
                'type': '0', 'fact': str(fact_id)})
        self.assertEqual(response.status_code, 400)
        self.assertIn('id="error-type"', response.text)
        self.assertEqual(self.read('laisui.evidence', evidence_id,
                ['fact']), {'fact': None})
        response = self.post(client, f'/evidence/{evidence_id}/edit', {
                'type': str(self.type_id('diploma')), 'fact': str(fact_id)})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.read('laisui.evidence', evidence_id,
                ['fact'])['fact'].id, fact_id)

        response = self.post(client, f'/evidence/{evidence_id}/delete', {})
        self.assertEqual(response.status_code, 302)
        self.assertIsNone(self.read('laisui.evidence', evidence_id, ['type']))
        self.assertEqual(len(self.audits(
                    'delete', f'laisui.evidence,{evidence_id}')), 1)

    def test_evidence_kept_by_a_request(self):
        "Evidence a correction request keeps: refused, named, kept"
        client = self.client()
        phone = '13600137009'
        self.register(client, phone, '440104198805123956', "郑己")
        evidence_id = self.upload(client, 'id_card')
        response = self.post(client, '/profile/identity', {
                'name': "郑已", 'reason': "户籍登记的姓名是“已”字",
                'evidence': str(evidence_id)})
        self.assertEqual(response.status_code, 200, response.text[-2000:])
        kept = r'“[^”]+”已被“身份信息更正申请”使用，不能删除。'
        # Said before asking to confirm, and refused if posted all the same
        response = client.get(self.url(f'/evidence/{evidence_id}/delete'))
        self.assertEqual(response.status_code, 400)
        self.assertRegex(response.text, kept)
        self.assertNotIn('确认删除', response.text)
        response = self.post(client, f'/evidence/{evidence_id}/delete', {},
            token_path='/evidence')
        self.assertEqual(response.status_code, 400)
        self.assertRegex(response.text, kept)
        self.assertIsNotNone(self.read('laisui.evidence', evidence_id, ['type']))

    # Profile ------------------------------------------------------------------------
    def test_profile(self):
        client = self.client()
        phone = '13600137010'
        self.register(client, phone, '440104199001011216', "周七")
        applicant_id = self.applicant(phone)
        response = self.post(client, '/profile', {
                'address': "环" * 201, 'employer': "广州某某公司",
                'contact_phone': '1380013'})
        self.assertEqual(response.status_code, 400)
        self.assertIn('请修改以下 2 处后再提交', response.text)
        self.assertIn('居住地址最多 200 个字。', response.text)
        self.assertIn('id="error-contact_phone"', response.text)
        self.assertIn('value="广州某某公司"', response.text)
        self.assertEqual(self.read('laisui.applicant', applicant_id,
                ['address', 'employer', 'contact_phone']),
            {'address': None, 'employer': None, 'contact_phone': None})

        response = self.post(client, '/profile', {
                'address': "环" * 200, 'employer': "广州某某公司",
                'contact_phone': '138 0013 8001'})
        self.assertEqual(response.status_code, 200)
        self.assertIn('已保存', response.text)
        self.assertEqual(self.read('laisui.applicant', applicant_id,
                ['address', 'employer', 'contact_phone']),
            {'address': "环" * 200, 'employer': "广州某某公司",
                'contact_phone': '13800138001'})
        page = client.get(self.url('/profile')).text
        self.assertIn('138****8001', page)
        self.assertNotIn('13800138001', page)
        entries = self.audits('write', f'laisui.applicant,{applicant_id}')
        self.assertIn(('', '138****8001'), entries)
        self.assertIn(('', '广州某某公司'), entries)
        # The road, not the door.
        self.assertIn(('', '环环环' + '*' * 197), entries)
        self.assertNotIn("环" * 200, str(entries))
        # An empty phone keeps the number
        response = self.post(client, '/profile', {
                'address': "环市东路 1 号", 'employer': "广州某某公司",
                'contact_phone': ''})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.read('laisui.applicant', applicant_id,
                ['address', 'contact_phone']),
            {'address': "环市东路 1 号", 'contact_phone': '13800138001'})

    # Identity correction ----------------------------------------------------------
    def test_identity_correction_request(self):
        client, other = self.client(), self.client()
        phone = '13600137011'
        self.register(client, phone, '110101199003071233', "郑九")
        self.register(other, '13600137012', '440102198505051230', "吴八")
        other_evidence = self.upload(other)
        applicant_id = self.applicant(phone)
        page = client.get(self.url('/profile')).text
        self.assertIn('/profile/identity', page)
        page = client.get(self.url('/profile/identity')).text
        self.assertIn('提交更正申请', page)

        for data, messages in [
                ({'name': "郑九", 'id_number': '', 'reason': "写错了字"},
                    ['请填写正确的姓名或身份证号码（须与现有信息不同）。']),
                ({'name': "郑", 'id_number': '110101199003071234',
                        'reason': "错"},
                    ['请输入真实姓名（2至30个字）。', '身份证号码校验位错误',
                        '请说明更正理由（至少 4 个字）。']),
                ]:
            with self.subTest(data=data):
                response = self.post(client, '/profile/identity', data)
                self.assertEqual(response.status_code, 400)
                self.assertIn(f'请修改以下 {len(messages)} 处后再提交',
                    response.text)
                for message in messages:
                    self.assertIn(message, response.text)
        response = self.post(client, '/profile/identity', {
                'name': "郑玖", 'reason': "户口簿上是“玖”字",
                'evidence': str(other_evidence)})
        self.assertEqual(response.status_code, 404)
        response = self.post(client, '/profile/identity', {
                'name': "郑玖", 'reason': "户口簿上是“玖”字",
                'evidence': '99999999999999999999'})
        self.assertEqual(response.status_code, 400)
        self.assertIn('请求内容有误，请返回检查后重新提交。', response.text)
        with Transaction().start(self.db_name, 0):
            Correction = Pool().get('laisui.applicant.identity_correction')
            self.assertEqual(Correction.search_count(
                    [('applicant', '=', applicant_id)]), 0)

        response = self.post(client, '/profile/identity', {
                'name': "郑玖", 'id_number': '11010119900307125X',
                'reason': "户口簿上是“玖”字"})
        self.assertEqual(response.status_code, 200)
        self.assertIn('您的更正申请已提交', response.text)
        self.assertIn('110101********125X', response.text)
        self.assertNotIn('11010119900307125X', response.text)
        self.assertIn('待处理', response.text)
        self.assertNotIn('id="identity-form"', response.text)
        response = self.post(client, '/profile/identity', {
                'name': "郑玖玖", 'reason': "再申请一次"},
            token_path='/profile')
        self.assertEqual(response.status_code, 409)
        self.assertIn('您有一项更正申请正在等待处理', response.text)
        with Transaction().start(self.db_name, 0):
            Correction = Pool().get('laisui.applicant.identity_correction')
            Applicant = Pool().get('laisui.applicant')
            correction, = Correction.search(
                [('applicant', '=', applicant_id)])
            self.assertEqual(correction.requested_name, "郑玖")
            self.assertEqual(correction.state, 'requested')
            Correction.write([correction], {'reply': "请携带户口簿到窗口核实"})
            Correction.reject([correction])
            Transaction().commit()
            self.assertEqual(Applicant(applicant_id).name, "郑九")
        page = client.get(self.url('/profile/identity')).text
        self.assertIn('已驳回', page)
        self.assertIn('请携带户口簿到窗口核实', page)
        self.assertIn('id="identity-form"', page)


del RouteTestCase
