# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A newly registered applicant asks for points verification on the
portal: picks the indicators, checks the summary (核对信息), confirms with
the SMS code bound to it, reads the confirmation with the number; can
withdraw while under review and delete a draft. What the applicant checked
is what is submitted; a double submission makes one request."""
import datetime as dt
import io
import re

from trytond.modules.laisui_base.tests.clamd import ClamdMixin
from trytond.modules.laisui_base.tests.tools import (
    PortalTestMixin, png_bytes)
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction

from trytond.modules.laisui_review.tests.tools import REFERENCE_DATE

def _with_check_digit(first17):
    "The 18-digit ID number of these 17 digits (GB 11643)"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(first17, weights))
    return first17 + '10X98765432'[total % 11]


DIGEST = re.compile(r'name="digest" value="([0-9a-f]{64})"')


class PointsRequestPortalTestCase(ClamdMixin, PortalTestMixin,
        RouteTestCase):
    "Points verification requests made on the portal"
    module = 'laisui_review'
    language = 'zh_CN'

    @classmethod
    def setUpDatabase(cls):
        super().setUpDatabase()
        pool = Pool()
        Configuration = pool.get('laisui.points.configuration')
        Configuration.write([Configuration(1)],
            {'reference_date': REFERENCE_DATE})

    # Helpers -------------------------------------------------------------
    def applicant(self, phone, id_number=None, name="陈小燕"):
        """A signed-in client of a new applicant: a rented home in Yuexiu
        and pension insurance that the source systems confirm (合法稳定住所,
        社会保险: no material needed), a bachelor degree declared (文化程度
        50, its 学历证书 to upload)"""
        client = self.client()
        # One ID number per phone: 1990-01-01, a woman (birth order 122).
        id_number = id_number or _with_check_digit(
            f'44052419900101{int(phone[-2:]):02d}2')
        self.assertEqual(self.register(
                client, phone, id_number, name=name).status_code, 302)
        with Transaction().start(self.db_name, 0) as transaction:
            pool = Pool()
            Applicant = pool.get('laisui.applicant')
            District = pool.get('laisui.district')
            yuexiu, = District.search([('code', '=', '440104')])
            applicant, = Applicant.search([('phone', '=', phone)])
            Applicant.write([applicant], {'facts': [('create', [
                                {'kind': 'education', 'level': 'bachelor',
                                    'date_from': dt.date(2012, 7, 1)},
                                {'kind': 'insurance', 'level': 'pension',
                                    'date_from': dt.date(2014, 1, 1),
                                    'source': 'external',
                                    'external_reference':
                                    f'hrss_insurance:{phone}'},
                                {'kind': 'residence_rented', 'flag': True,
                                    'district': yuexiu.id,
                                    'date_from': dt.date(2014, 1, 1),
                                    'source': 'external',
                                    'external_reference':
                                    f'rental_lease:{phone}'},
                                ])]})
            transaction.commit()
        # Past the one-code-a-minute limit of the registration code.
        self.let_time_pass(phone)
        return client

    def indicators(self):
        "{indicator code: id} of the rule set in force on the reference date"
        with Transaction().start(self.db_name, 0):
            RuleSet = Pool().get('laisui.points.rule_set')
            rule_set = RuleSet.in_force(REFERENCE_DATE)
            return {i.code: i.id for i in rule_set.indicators}

    def requests(self, phone):
        "[(state, [indicator codes], case lines' codes)] of phone's requests"
        with Transaction().start(self.db_name, 0):
            Request = Pool().get('laisui.review.points_request')
            return [(r.state, sorted(i.code for i in r.indicators),
                    sorted(l.indicator.code for l in r.review_case.lines)
                    if r.review_case else None)
                for r in Request.search(
                    [('applicant.phone', '=', phone)], order=[('id', 'ASC')])]

    def draft(self, client, *codes):
        "Choose the indicators; the id of the draft the form leads to"
        ids = self.indicators()
        response = self.post(client, '/reviews/apply',
            {'indicator': [str(ids[c]) for c in codes]})
        self.assertEqual(response.status_code, 302, response.text)
        return int(re.search(
                r'/reviews/(\d+)/check$', response.headers['Location'])[1])

    def send_code(self, client, request_id):
        "Ask for the code on the check page; (digest, code, page)"
        path = f'/reviews/{request_id}/check'
        digest = DIGEST.search(client.get(self.url(path)).text)[1]
        response = self.post(client, path,
            {'action': 'send_code', 'digest': digest})
        self.assertEqual(response.status_code, 200, response.text)
        return digest, response

    def submit(self, client, request_id, digest, code):
        return self.post(client, f'/reviews/{request_id}/check',
            {'action': 'submit', 'digest': digest, 'code': code},
            token_path='/reviews')

    # Tests ---------------------------------------------------------------
    def test_request_from_the_portal(self):
        "Choose, check, confirm with the code, read the confirmation"
        phone = '13600136100'
        client = self.applicant(phone)
        form = client.get(self.url('/reviews/apply')).text
        self.assertIn('文化程度', form)
        self.assertIn('社会保险', form)
        self.assertIn('保存并核对信息', form)

        request_id = self.draft(client, 'insurance')
        self.assertEqual(self.requests(phone), [('draft', ['insurance'], None)])
        check = client.get(self.url(f'/reviews/{request_id}/check')).text
        self.assertIn('核对信息', check)
        # Only what was chosen; the ID number masked.
        self.assertIn('社会保险', check)
        self.assertNotIn('文化程度', check)
        self.assertIn('440524********0026', check)
        self.assertNotIn('44052419900101', check)

        digest, page = self.send_code(client, request_id)
        self.assertIn('确认验证码已发送至 136****6100', page.text)
        code = self.last_code(phone)
        response = self.submit(client, request_id, digest, code)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.headers['Location'].endswith(
                f'/portal/reviews/{request_id}'))
        done = client.get(self.url(f'/reviews/{request_id}')).text
        year = dt.date.today().year
        self.assertIn(f'P{year}-{request_id:06d}', done)
        self.assertIn('您的申请已提交', done)
        self.assertIn('网上预审', done)
        self.assertIn('社会保险', done)
        # The case reviews the chosen indicator only.
        self.assertEqual(self.requests(phone),
            [('review', ['insurance'], ['insurance'])])

        # The same confirmation again (a double click, a retry): the one
        # request, and its confirmation page.
        again = self.submit(client, request_id, digest, code)
        self.assertEqual(again.status_code, 302)
        self.assertTrue(again.headers['Location'].endswith(
                f'/portal/reviews/{request_id}'))
        self.assertEqual(len(self.requests(phone)), 1)

    def test_home_next_steps(self):
        """The home page: what the service is to a visitor; to the
        applicant, each step of the journey with where it stands"""
        visitor = self.client().get(self.url('/')).text
        self.assertIn('<h1>越秀区来穗人员积分制服务</h1>', visitor)
        self.assertIn(f'href="/{self.db_name}/portal/register"', visitor)
        self.assertIn(f'href="/{self.db_name}/portal/guide/points"', visitor)
        self.assertNotIn('接下来要做的事', visitor)

        phone = '13600136111'
        client = self.applicant(phone)

        def steps():
            page = client.get(self.url('/')).text
            return re.findall(
                r'<li class="card"><a href="[^"]*/portal(/[^"]*)">'
                r'<strong>([^<]*)</strong></a><br>'
                r'<span class="muted">([^<]*)</span>', page)

        self.assertEqual(steps(), [
                ('/family', '完善个人资料和家庭成员',
                    '尚未登记家庭成员，尚未填写居住街道'),
                # The declared degree; the two others are the sources'.
                ('/facts', '申报积分信息并上传证明材料',
                    '已申报 1 项信息，已上传 0 份材料'),
                ('/reviews/apply', '申请积分核定', '积分尚未核定'),
                ])
        request_id = self.draft(client, 'insurance')
        number = f'P{dt.date.today().year}-{request_id:06d}'
        self.assertEqual(steps()[-1],
            ('/reviews', '申请积分核定', f'申请 {number}：草稿'))

    def test_changed_after_the_code(self):
        "A change after the code was sent: refused, nothing submitted"
        phone = '13600136101'
        client = self.applicant(phone)
        request_id = self.draft(client, 'insurance')
        digest, _ = self.send_code(client, request_id)
        code = self.last_code(phone)
        # Another tab adds an indicator to the same draft.
        self.assertEqual(self.draft(client, 'insurance', 'residence'),
            request_id)
        response = self.submit(client, request_id, digest, code)
        self.assertEqual(response.status_code, 422)
        self.assertIn('发送验证码后申请内容已有改动', response.text)
        # The summary shown again is the new one, with its own digest.
        self.assertIn('社会保险', response.text)
        self.assertNotEqual(DIGEST.search(response.text)[1], digest)
        self.assertEqual(self.requests(phone),
            [('draft', ['insurance', 'residence'], None)])
        # The code died with the change: the new digest does not revive it.
        new_digest = DIGEST.search(response.text)[1]
        response = self.submit(client, request_id, new_digest, code)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(self.requests(phone)[0][0], 'draft')

    def test_wrong_code(self):
        "A wrong code: its error at the code field, nothing submitted"
        phone = '13600136102'
        client = self.applicant(phone)
        request_id = self.draft(client, 'insurance')
        digest, _ = self.send_code(client, request_id)
        code = self.last_code(phone)
        wrong = '000000' if code != '000000' else '111111'
        response = self.submit(client, request_id, digest, wrong)
        self.assertEqual(response.status_code, 422)
        self.assertIn('验证码错误', response.text)
        self.assertIn('aria-describedby="error-code"', response.text)
        self.assertIn('href="#input-code"', response.text)
        self.assertEqual(self.requests(phone)[0][0], 'draft')
        # The right code still confirms.
        self.assertEqual(
            self.submit(client, request_id, digest, code).status_code, 302)
        self.assertEqual(self.requests(phone)[0][0], 'review')

    def test_no_indicator_chosen(self):
        "Nothing chosen: the form says so, no request is made"
        phone = '13600136103'
        client = self.applicant(phone)
        response = self.post(client, '/reviews/apply', {})
        self.assertEqual(response.status_code, 422)
        self.assertIn('请至少选择一项需要核定的积分指标', response.text)
        self.assertIn('aria-describedby="error-indicator"', response.text)
        # An indicator that gives no points is no choice either.
        ids = self.indicators()
        response = self.post(client, '/reviews/apply',
            {'indicator': [str(ids['patent_invention'])]})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(self.requests(phone), [])

    def test_withdraw_and_apply_again(self):
        "Withdrawn while under review; not once decided; then a new one"
        phone = '13600136104'
        client = self.applicant(phone)
        request_id = self.draft(client, 'insurance')
        digest, _ = self.send_code(client, request_id)
        self.submit(client, request_id, digest, self.last_code(phone))
        # A new request is refused while one is open.
        response = client.get(self.url('/reviews/apply'))
        self.assertEqual(response.status_code, 409)
        self.assertIn('已有正在审核的积分核定申请', response.text)

        response = self.post(client, f'/reviews/{request_id}/withdraw', {},
            token_path='/reviews')
        self.assertEqual(response.status_code, 302)
        with Transaction().start(self.db_name, 0):
            Request = Pool().get('laisui.review.points_request')
            request = Request(request_id)
            self.assertEqual(
                (request.state, request.review_case.state),
                ('withdrawn', 'withdrawn'))
        # Withdrawn is no longer under review: refused, nothing changed.
        response = self.post(client, f'/reviews/{request_id}/withdraw', {},
            token_path='/reviews')
        self.assertEqual(response.status_code, 409)
        self.assertIn('不能撤回', response.text)
        self.assertEqual(self.requests(phone)[0][0], 'withdrawn')

        self.let_time_pass(phone)
        second = self.draft(client, 'insurance')
        self.assertNotEqual(second, request_id)
        digest, _ = self.send_code(client, second)
        self.assertEqual(self.submit(
                client, second, digest, self.last_code(phone)).status_code,
            302)
        self.assertEqual([r[0] for r in self.requests(phone)],
            ['withdrawn', 'review'])

    def test_withdraw_decided(self):
        "An approved request cannot be withdrawn"
        phone = '13600136105'
        client = self.applicant(phone)
        request_id = self.draft(client, 'insurance')
        with Transaction().start(self.db_name, 0) as transaction:
            Request = Pool().get('laisui.review.points_request')
            Request.write([Request(request_id)], {'state': 'approved'})
            transaction.commit()
        response = self.post(client, f'/reviews/{request_id}/withdraw', {},
            token_path='/reviews')
        self.assertEqual(response.status_code, 409)
        self.assertIn('该申请已有审核结果或不在审核中，不能撤回', response.text)
        self.assertEqual(self.requests(phone)[0][0], 'approved')

    def test_delete_draft(self):
        "A draft is deleted; a submitted request is not"
        phone = '13600136106'
        client = self.applicant(phone)
        request_id = self.draft(client, 'insurance')
        response = self.post(client, f'/reviews/{request_id}/delete', {},
            token_path='/reviews')
        self.assertEqual(response.status_code, 302, response.text)
        self.assertEqual(self.requests(phone), [])

        request_id = self.draft(client, 'insurance')
        digest, _ = self.send_code(client, request_id)
        self.submit(client, request_id, digest, self.last_code(phone))
        response = self.post(client, f'/reviews/{request_id}/delete', {},
            token_path='/reviews')
        self.assertEqual(response.status_code, 409)
        self.assertIn('只能删除尚未提交的草稿', response.text)
        self.assertEqual(self.requests(phone)[0][0], 'review')

    def test_one_draft_resumed(self):
        "Coming back to the form edits the one draft"
        phone = '13600136107'
        client = self.applicant(phone)
        first = self.draft(client, 'insurance')
        form = client.get(self.url('/reviews/apply')).text
        ids = self.indicators()
        # The draft's choice is shown as chosen.
        self.assertRegex(form,
            rf'value="{ids["insurance"]}" checked')
        self.assertNotRegex(form, rf'value="{ids["residence"]}" checked')
        self.assertEqual(self.draft(client, 'residence'), first)
        self.assertEqual(self.requests(phone), [('draft', ['residence'], None)])
        listing = client.get(self.url('/reviews')).text
        self.assertIn(f'/reviews/{first}/check', listing)
        self.assertIn('继续填写', listing)

    def test_missing_material(self):
        """A declared degree without its 学历证书 (GZ-2018: 文化程度 needs
        it): no code is sent; once uploaded, the code is sent"""
        phone = '13600136108'
        client = self.applicant(phone)
        request_id = self.draft(client, 'education')
        form = client.get(self.url('/reviews/apply')).text
        self.assertIn('学历证书（<a', form)
        path = f'/reviews/{request_id}/check'
        digest = DIGEST.search(client.get(self.url(path)).text)[1]
        sent = self.last_sms(phone)
        response = self.post(client, path,
            {'action': 'send_code', 'digest': digest})
        self.assertEqual(response.status_code, 422)
        self.assertIn('指标“文化程度”需要上传证明材料：学历证书', response.text)
        self.assertEqual(self.last_sms(phone), sent)

        with Transaction().start(self.db_name, 0):
            Type = Pool().get('laisui.evidence.type')
            diploma, = Type.search([('code', '=', 'diploma')])
            diploma = diploma.id
        response = client.post(self.url('/evidence'), data={
                'csrf_token': self.token(client, '/evidence'),
                'type': str(diploma),
                'file': (io.BytesIO(png_bytes()), 'diploma.png'),
                }, content_type='multipart/form-data')
        self.assertEqual(response.status_code, 302, response.text)
        self.assertIn('学历证书（已上传）',
            client.get(self.url('/reviews/apply')).text)
        digest, page = self.send_code(client, request_id)
        # The summary names the material the reviewers will read.
        self.assertIn('材料：学历证书（上传于', page.text)

    def test_not_the_owner(self):
        "Somebody else's draft or request: 403, nothing changed"
        phone = '13600136109'
        client = self.applicant(phone)
        request_id = self.draft(client, 'insurance')
        other = self.applicant('13600136110', '11010519491231002X', "王五")
        for path in ['/check', '/withdraw', '/delete']:
            response = self.post(other, f'/reviews/{request_id}{path}',
                {'action': 'send_code'}, token_path='/reviews')
            self.assertEqual(response.status_code, 403, path)
        self.assertEqual(
            other.get(self.url(f'/reviews/{request_id}')).status_code, 403)
        self.assertEqual(self.requests(phone), [('draft', ['insurance'], None)])
