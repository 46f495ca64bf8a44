# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Public services on the portal: the catalogue and the service pages are
public; a signed-in applicant reads the pre-check of each condition, then
applies with the pattern of every online application (draft → 核对信息 →
SMS code → confirmation) and follows it in 我的服务申请."""
import datetime as dt
import re

from trytond.modules.laisui_base.tests.tools import PortalTestMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction

from trytond.modules.laisui_base.tests.forms import make_form

from .tools import id_number, make_service

DIGEST = re.compile(r'name="digest" value="([0-9a-f]{64})"')


class ServicePortalTestCase(PortalTestMixin, RouteTestCase):
    "Public services on the portal"
    module = 'laisui_services'
    language = 'zh_CN'

    @classmethod
    def setUpDatabase(cls):
        super().setUpDatabase()
        make_service('training', conditions=[
                {'kind': 'age', 'value': 18, 'max_value': 45},
                {'kind': 'permit'}])
        make_service('closed', publish=False)
        form = make_form('volunteer_form', [
                {'name': 'hours', 'label': '每周可服务小时数',
                    'type': 'number', 'required': True, 'digits': 0,
                    'number_min': 1, 'number_max': 20},
                {'name': 'experience', 'label': '有无志愿服务经历',
                    'type': 'boolean', 'required': True},
                {'name': 'organisation', 'label': '曾服务的组织',
                    'type': 'text', 'required': True,
                    'condition': ('experience', 'equals', 'yes')},
                ])
        make_service('volunteer', form=form.id)

    def applicant(self, phone, birth=dt.date(1990, 1, 1), permit=True):
        "A signed-in client of a new applicant born on birth"
        client = self.client()
        response = self.register(client, phone,
            id_number(int(phone[-3:]), birth), name='王丽')
        self.assertEqual(response.status_code, 302, response.text)
        if permit:
            with Transaction().start(self.db_name, 0) as transaction:
                pool = Pool()
                Applicant = pool.get('laisui.applicant')
                District = pool.get('laisui.district')
                yuexiu, = District.search([('code', '=', '440104')])
                applicant, = Applicant.search([('phone', '=', phone)])
                Applicant.write([applicant], {'permits': [('create', [{
                                    'number': f'GD{phone}',
                                    'district': yuexiu.id,
                                    'date_start': dt.date(2020, 3, 1),
                                    'source': 'external'}])]})
                transaction.commit()
        self.let_time_pass(phone)
        return client

    def applications(self, phone):
        with Transaction().start(self.db_name, 0):
            Application = Pool().get('laisui.service.application')
            return [(a.service.code, a.state) for a in Application.search(
                    [('applicant.phone', '=', phone)], order=[('id', 'ASC')])]

    def test_catalogue_is_public(self):
        "Anyone reads the catalogue and a service's guidance and conditions"
        client = self.client()
        page = client.get(self.url('/services'))
        self.assertEqual(page.status_code, 200)
        self.assertIn('服务training', page.text)
        # A service with no published version is not offered.
        self.assertNotIn('服务closed', page.text)
        page = client.get(self.url('/services/training'))
        self.assertEqual(page.status_code, 200)
        self.assertIn('咨询电话 12345。', page.text)
        self.assertIn('年龄 18 至 45 周岁', page.text)
        self.assertIn('登录</a>后可查看您是否符合条件', page.text)
        for path in ['/services/closed', '/services/nothing']:
            with self.subTest(path=path):
                self.assertEqual(client.get(self.url(path)).status_code, 404)

    def test_pre_check(self):
        "A signed-in applicant reads why not and what would fix it"
        client = self.applicant('13700137501', birth=dt.date(1970, 5, 1),
            permit=False)
        page = client.get(self.url('/services/training')).text
        self.assertIn('✗ 不符合', page)
        self.assertIn('未满足条件：年龄 18 至 45 周岁。', page)
        self.assertIn('（系统记录：年龄：', page)
        self.assertIn('未满足条件：持有效的广州市居住证。', page)
        self.assertIn('怎样补充：请先办理或续签居住证', page)

    def test_apply_check_submit(self):
        """Apply, check, confirm with the code: the confirmation has the
        number; a second application is refused while this one runs"""
        phone = '13700137502'
        client = self.applicant(phone)
        page = client.get(self.url('/services/training')).text
        self.assertNotIn('✗ 不符合', page)
        response = self.post(client, '/services/training/apply', {},
            token_path='/services/training/apply')
        self.assertEqual(response.status_code, 302, response.text)
        check_path = re.search(r'/portal(/services/applications/\d+/check)$',
            response.headers['Location'])[1]
        self.assertEqual(self.applications(phone), [('training', 'draft')])
        page = client.get(self.url(check_path)).text
        self.assertIn('服务training v1', page)
        digest = DIGEST.search(page)[1]
        response = self.post(client, check_path,
            {'action': 'send_code', 'digest': digest})
        self.assertEqual(response.status_code, 200, response.text)
        code = self.last_code(phone)
        response = self.post(client, check_path,
            {'action': 'submit', 'digest': digest, 'code': code},
            token_path='/services/applications')
        self.assertEqual(response.status_code, 302, response.text)
        self.assertEqual(self.applications(phone), [('training', 'review')])
        done = client.get(response.headers['Location']).text
        self.assertRegex(done, r'S\d{4}-\d{6}')
        self.assertIn('您的申请已提交', done)
        listing = client.get(self.url('/services/applications')).text
        self.assertIn('审核中', listing)
        response = client.get(self.url('/services/training/apply'))
        self.assertEqual(response.status_code, 409)
        self.assertIn('您已申请“服务training”', response.text)
        self.assertEqual(self.applications(phone), [('training', 'review')])

    def test_others_application_not_found(self):
        "Another applicant's application is a 404 to me"
        owner = self.applicant('13700137503')
        response = self.post(owner, '/services/training/apply', {},
            token_path='/services/training/apply')
        path = re.search(r'/portal(/services/applications/\d+)/check$',
            response.headers['Location'])[1]
        other = self.applicant('13700137504')
        for suffix in ['', '/check']:
            with self.subTest(suffix=suffix):
                self.assertIn(other.get(self.url(path + suffix)).status_code,
                    {403, 404})

    def answers(self, phone):
        with Transaction().start(self.db_name, 0):
            Application = Pool().get('laisui.service.application')
            return [dict(a.answers or {}) for a in Application.search(
                    [('applicant.phone', '=', phone)])]

    def test_form_answers_checked_by_the_server(self):
        """Answers posted past the page are checked against the version's
        form: each bad one named in zh_CN, nothing stored, typed kept"""
        phone = '13700137505'
        client = self.applicant(phone)
        page = client.get(self.url('/services/volunteer/apply')).text
        self.assertIn('每周可服务小时数', page)
        self.assertIn('（仅当', page)
        cases = [
            ({}, '“每周可服务小时数”'),
            ({'hours': '21', 'experience': 'no'}, '20'),
            ({'hours': '0', 'experience': 'no'}, '1'),
            # Answered though the condition does not ask it.
            ({'hours': '5', 'experience': 'no', 'organisation': '红十字会'},
                '“曾服务的组织”'),
            ({'hours': '5', 'experience': 'no', 'salary': '1'},
                '“salary”不是本表单的填写项。'),
            ({'hours': '5', 'experience': 'yes'}, '“曾服务的组织”'),
            ]
        for data, text in cases:
            with self.subTest(data=data):
                response = self.post(client, '/services/volunteer/apply',
                    data, token_path='/services/volunteer/apply')
                self.assertEqual(response.status_code, 422)
                self.assertIn('请修改以下', response.text)
                self.assertIn(text, response.text)
                if 'hours' in data:
                    # What was typed stays.
                    self.assertIn(f'name="hours" value="{data["hours"]}"',
                        response.text)
                self.assertEqual(self.answers(phone), [{}])
        response = self.post(client, '/services/volunteer/apply',
            {'hours': '20', 'experience': 'yes', 'organisation': '红十字会'},
            token_path='/services/volunteer/apply')
        self.assertEqual(response.status_code, 302, response.text)
        self.assertEqual(self.answers(phone), [{'hours': 20,
                    'experience': True, 'organisation': '红十字会'}])
        check = client.get(response.headers['Location']).text
        self.assertIn('每周可服务小时数', check)
        self.assertIn('红十字会', check)
