# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The portal rendering of a form definition (form_fields.html) and its
live preview from the back office, behind a short-lived signed token."""
import datetime as dt
import io
import re
import urllib.parse

import lxml.html

from trytond.modules.laisui_base import portal as portal_module
from trytond.modules.laisui_base.exceptions import FormAnswersError
from trytond.modules.laisui_base.tests.clamd import ClamdMixin
from trytond.modules.laisui_base.tests.forms import (
    HOUSEHOLD, MATERIALS, household_answers, make_form)
from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, acting, png_bytes, staff)
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase, with_transaction
from trytond.transaction import Transaction

STREETS = ['洪桥街道', '北京街道']
PAGE = ("{% from 'laisui_base/form_fields.html' import form_fields "
    "with context %}<form>{{ form_fields(definition, answers, errors, "
    "streets) }}</form>")


def render(definition, answers=None, errors=None):
    env = portal_module._environment(('laisui_base',))
    return lxml.html.fromstring(env.from_string(PAGE).render(
            root='/db/portal', definition=definition, answers=answers or {},
            errors=errors or {}, streets=STREETS))


def described_by(element):
    return set((element.get('aria-describedby') or '').split())


class FormRenderingTestCase(ActivatedTestCase):
    "Form fields on the portal"
    modules = ['laisui_base']

    @with_transaction()
    def test_labels_and_help(self):
        "Every input has its label; help is tied to it"
        form = make_form('household', HOUSEHOLD)
        definition = form.definition()
        definition[0]['help'] = '与身份证一致'
        page = render(definition)
        name = page.get_element_by_id('input-full_name')
        self.assertEqual(page.xpath(
                '//label[@for="input-full_name"]')[0].text_content(),
            '姓名 （必填）')
        self.assertEqual(described_by(name), {'hint-full_name'})
        self.assertEqual(page.get_element_by_id('hint-full_name').text,
            '与身份证一致')
        self.assertEqual(name.get('maxlength'), '30')
        self.assertEqual(name.get('aria-required'), 'true')
        self.assertIsNone(
            page.get_element_by_id('input-income').get('aria-required'))
        # Radios and checkboxes are in a fieldset with a legend.
        works = page.get_element_by_id('input-spouse_works')
        self.assertEqual(works.getparent().getparent().tag, 'fieldset')
        self.assertEqual(page.get_element_by_id('input-arrival').get('type'),
            'date')
        self.assertEqual(page.get_element_by_id('input-arrival').get('max'),
            '2026-06-30')
        self.assertEqual(page.get_element_by_id('input-phone').get('type'),
            'tel')
        streets = page.get_element_by_id('input-address')
        self.assertEqual([o.text for o in streets.iter('option')],
            ['请选择街道'] + STREETS)
        self.assertEqual(page.xpath('//script/@src'),
            ['/db/portal/static/form.js'])
        # Each input a real label or a fieldset's legend.
        for element in page.xpath('//input[@type!="hidden"]|//select'
                '|//textarea'):
            labelled = page.xpath(f'//label[@for="{element.get("id")}"]'
                ) or element.getparent().tag == 'label'
            self.assertTrue(labelled, element.get('name'))

    @with_transaction()
    def test_conditions_without_script(self):
        "A conditional field says when it is to be filled in"
        form = make_form('household', HOUSEHOLD)
        page = render(form.definition())
        field = page.get_element_by_id('field-spouse_name')
        self.assertEqual(field.get('data-condition-field'), 'marital')
        self.assertEqual(field.get('data-condition-value'), 'married')
        self.assertIsNone(field.get('hidden'))
        self.assertEqual(
            page.get_element_by_id('hint-spouse_name').text_content(),
            '（仅当“婚姻状况”为“已婚”时填写）')
        self.assertEqual(
            page.get_element_by_id('hint-spouse_employer').text_content(),
            '（仅当“配偶是否就业”为“是”时填写）')

    @with_transaction()
    def test_errors_and_values_kept(self):
        "After an error each field keeps what was typed and says what is wrong"
        form = make_form('household', HOUSEHOLD)
        answers = household_answers(full_name='李', household='11',
            children=[{'child_name': '', 'child_birth': '2019-01-01'}])
        with self.assertRaises(FormAnswersError) as cm:
            form.validate_answers(answers, today=dt.date(2026, 7, 1))
        errors = cm.exception.errors
        self.assertEqual(list(errors), ['full_name', 'household',
                'children.1.child_name'])
        page = render(form.definition(), answers, errors)
        name = page.get_element_by_id('input-full_name')
        self.assertEqual(name.get('value'), '李')
        self.assertEqual(name.get('aria-invalid'), 'true')
        self.assertEqual(described_by(name), {'error-full_name'})
        self.assertEqual(page.get_element_by_id('error-full_name').text,
            '“姓名”至少填写 2 个字。')
        self.assertEqual(page.get_element_by_id('input-household').get(
                'value'), '11')
        cell = page.get_element_by_id('input-children.1.child_name')
        self.assertEqual(cell.get('aria-invalid'), 'true')
        self.assertEqual(page.get_element_by_id(
                'input-children.1.child_birth').get('value'), '2019-01-01')
        # Rows to fill in without script: the three the table may have.
        self.assertEqual(page.xpath(
                '//input[@name="children.rows"]/@value'), ['3'])
        self.assertEqual(len(page.xpath('//fieldset[@class="form-row"]')), 3)
        self.assertEqual(page.xpath(
                '//input[@name="marital"][@checked]/@value'),
            ['married'])
        self.assertEqual(page.xpath(
                '//input[@name="spouse_works"][@checked]/@value'), ['yes'])
        self.assertEqual(page.xpath(
                '//select[@name="address.street"]/option[@selected]/text()'),
            ['洪桥街道'])

    @with_transaction()
    def test_post_parsed(self):
        "The HTML post of the rendering reads back as the answers"
        from werkzeug.datastructures import MultiDict
        form = make_form('household', HOUSEHOLD)
        post = MultiDict([
                ('full_name', '李红'), ('id_number', '440104199001011232'),
                ('phone', '13800138000'), ('arrival', '2015-03-01'),
                ('household', '3'), ('income', ''), ('marital', 'single'),
                ('address.street', '北京街道'), ('address.detail', '西湖路 2 号'),
                ('children.rows', '2'), ('children.1.child_name', '王小明'),
                ('children.1.child_birth', ''), ('children.2.child_name', ''),
                ('children.2.child_birth', ''), ('extra', 'x'),
                ])
        answers = form.parse_post(post, MultiDict())
        self.assertEqual(answers, {
                'full_name': '李红', 'id_number': '440104199001011232',
                'phone': '13800138000', 'arrival': '2015-03-01',
                'household': '3', 'marital': 'single',
                'address': {'street': '北京街道', 'detail': '西湖路 2 号'},
                'children': [{'child_name': '王小明'}, {}],
                })
        clean = form.validate_answers(answers, today=dt.date(2026, 7, 1))
        self.assertEqual(clean['children'], [{'child_name': '王小明'}])


class FormPreviewTestCase(ClamdMixin, RouteTestCase):
    "The 预览 button's page"
    module = 'laisui_base'
    language = 'zh_CN'

    @classmethod
    def setUpDatabase(cls):
        staff('form_admin', 'group_district_admin')
        staff('form_other', 'group_district_admin')
        staff('nobody')
        make_form('household', HOUSEHOLD, name='家庭情况登记', publish=False)
        make_form('other', HOUSEHOLD[:2])
        make_form('materials', MATERIALS)

    def preview_url(self, login, code='household'):
        pool = Pool()
        Form = pool.get('laisui.form')
        User = pool.get('res.user')
        user, = User.search([('login', '=', login)])
        form, = Form.search([('code', '=', code)])
        with acting(user):
            action = Form.preview([form])
        return action['url']

    def issue(self, login, code='household'):
        with Transaction().start(self.db_name, 0) as transaction:
            url = self.preview_url(login, code)
            transaction.commit()
        return url

    def test_preview_draft(self):
        "The draft renders as the portal would, by the token's holder"
        url = self.issue('form_admin')
        self.assertRegex(url, r'^/%s/laisui/form/preview/\d+\?token=[\w-]+$'
            % re.escape(self.db_name))
        response = self.client().get(url)
        self.assertEqual(response.status_code, 200)
        page = lxml.html.fromstring(response.text)
        self.assertEqual(page.xpath('//h1')[0].text, '家庭情况登记')
        self.assertTrue(page.get_element_by_id('input-full_name') is not None)
        self.assertIn("script-src 'self'",
            response.headers['Content-Security-Policy'])
        self.assertEqual(response.headers['Cache-Control'], 'no-store')

    def test_preview_post_validates(self):
        "A post shows the errors and stores nothing"
        url = self.issue('form_admin')
        path, _, query = url.partition('?')
        token = urllib.parse.parse_qs(query)['token'][0]
        with Transaction().start(self.db_name, 0):
            before = Pool().get('laisui.audit.log').search_count([])
        response = self.client().post(path, data={
                'token': token, 'full_name': '李', 'marital': 'single'})
        self.assertEqual(response.status_code, 200)
        page = lxml.html.fromstring(response.text)
        self.assertEqual(page.get_element_by_id('error-full_name').text,
            '“姓名”至少填写 2 个字。')
        self.assertEqual(
            page.get_element_by_id('input-full_name').get('value'), '李')
        self.assertTrue(page.get_element_by_id('error-summary') is not None)
        with Transaction().start(self.db_name, 0):
            self.assertEqual(
                Pool().get('laisui.audit.log').search_count([]), before)

    def test_preview_file_sniffed(self):
        "A text file named .pdf is refused by its content"
        url = self.issue('form_admin', 'materials')
        path, _, query = url.partition('?')
        token = urllib.parse.parse_qs(query)['token'][0]
        response = self.client().post(path, data={
                'token': token, 'permit_no': 'GZ1234', 'skills': 'drive',
                'licence': (io.BytesIO(b'just text'), 'licence.pdf')})
        self.assertEqual(response.status_code, 200)
        page = lxml.html.fromstring(response.text)
        self.assertEqual(page.get_element_by_id('error-licence').text,
            '“驾驶证”：仅支持 JPG、PNG、PDF 格式的文件。')
        response = self.client().post(path, data={
                'token': token, 'permit_no': 'GZ1234', 'skills': 'drive',
                'licence': (io.BytesIO(png_bytes()), 'licence.png')})
        page = lxml.html.fromstring(response.text)
        self.assertEqual(page.xpath('//p[@role="status"]')[0].text,
            '填写内容全部有效（未保存任何数据）。')

    def assertRefused(self, url, status=403):
        response = self.client().get(url)
        self.assertEqual(response.status_code, status)
        if status == 403:
            self.assertIn('预览链接已失效，请在表单上重新点击“预览”。', response.text)

    def test_preview_refused(self):
        "Forged, expired, another form's or a deactivated user's token"
        url = self.issue('form_admin')
        self.assertRefused(url + 'x')
        self.assertRefused(re.sub(r'token=.*', 'token=', url))
        self.assertRefused(re.sub(r'token=.*', 'token=' + 'é' * 10, url))
        other = self.issue('form_admin', 'other')
        self.assertRefused(re.sub(r'\?token=.*', '', url) + '?' +
            other.partition('?')[2])
        self.client().get(url)
        with Transaction().start(self.db_name, 0) as transaction:
            Grant = Pool().get('laisui.access.grant')
            Grant.write(Grant.search([]), {
                    'expires_at': dt.datetime(2020, 1, 1)})
            transaction.commit()
        self.assertRefused(url)
        url = self.issue('form_other')
        with Transaction().start(self.db_name, 0) as transaction:
            User = Pool().get('res.user')
            User.write(User.search([('login', '=', 'form_other')]),
                {'active': False})
            transaction.commit()
        self.assertRefused(url)

    def test_preview_needs_read_access(self):
        "A staff member who may not read forms gets no page"
        with Transaction().start(self.db_name, 0) as transaction:
            pool = Pool()
            Grant = pool.get('laisui.access.grant')
            User = pool.get('res.user')
            Form = pool.get('laisui.form')
            nobody, = User.search([('login', '=', 'nobody')])
            form, = Form.search([('code', '=', 'household')])
            with transaction.set_user(nobody.id):
                token = Grant.issue(str(form), minutes=15)
            transaction.commit()
        self.assertRefused(f'/{self.db_name}/laisui/form/preview/{form.id}'
            f'?token={token}', status=404)
