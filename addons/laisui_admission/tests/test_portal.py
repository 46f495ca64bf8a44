# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The applicant applies on the portal with an SMS code, sees the result,
downloads the notice; the public reads the publication and verifies a
notice; nobody reaches what is not theirs."""
import datetime as dt
import io
import re
from decimal import Decimal
from unittest.mock import patch

from pypdf import PdfReader

from trytond import backend
from trytond.modules.laisui_admission import notice, publication_routes
from trytond.modules.laisui_base import printout
from trytond.modules.laisui_admission.tests.tools import (
    CLOSED, CUTOFF, NOW, child_of, draft_application, make_round, make_schools,
    verify_points)
from trytond.modules.laisui_base.http_headers import PAGE_CSP
from trytond.modules.laisui_base.tests.tools import PortalTestMixin
from trytond.modules.laisui_connectors.tests.tools import id_number
from trytond.modules.laisui_review.tests.tools import make_applicant
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction

PHONE = '13600136031'


def _type_a_facts(applicant):
    "A permit and a registered rental in Yuexiu since 2013"
    pool = Pool()
    District = pool.get('laisui.district')
    Applicant = pool.get('laisui.applicant')
    yuexiu, = District.search([('code', '=', '440104')])
    Applicant.write([applicant], {
            'permits': [('create', [{'number': 'GD4401040031',
                            'district': yuexiu.id,
                            'date_start': dt.date(2013, 3, 1)}])],
            'facts': [('create', [{'kind': 'residence_rented',
                            'flag': True, 'district': yuexiu.id,
                            'date_from': dt.date(2013, 3, 1)}])],
            })


class AdmissionPortalTestCase(PortalTestMixin, RouteTestCase):
    "Admission pages of the portal"
    module = 'laisui_admission'
    language = 'zh_CN'

    def setUp(self):
        super().setUp()
        # Pages rendered for another test's records of the same ids.
        publication_routes._publication_pages.clear()

    def setup_family(self, phone):
        """The applicant of phone eligible for type A with two children
        (one too young); an open round around now with two schools"""
        with Transaction().start(self.db_name, 0) as transaction:
            pool = Pool()
            Applicant = pool.get('laisui.applicant')
            Round = pool.get('laisui.admission.round')
            applicant, = Applicant.search([('phone', '=', phone)])
            _type_a_facts(applicant)
            verify_points(applicant)
            child = child_of(applicant, 31)
            young = child_of(applicant, 32, birth=dt.date(2016, 1, 1))
            now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
            round_, = Round.create([{
                        'name': '越秀区积分入学（测试）', 'year': 2021,
                        'points_cutoff': CUTOFF,
                        'age_date': dt.date(2021, 8, 31),
                        'application_start': now - dt.timedelta(days=1),
                        'application_end': now + dt.timedelta(days=1),
                        'max_preferences': 2,
                        'stages': [('create', [{'stage': 'grade1',
                                        'min_age': 6,
                                        'school_record': 'none'}])],
                        }])
            Round.open([round_])
            schools = make_schools(round_, [1, 1])
            transaction.commit()
            return round_.id, child.id, young.id, [s.id for s in schools]

    def form(self, round_id, child_id, schools, **values):
        type_ = self.type_id('A')
        return dict({'round': round_id, 'child': child_id,
                'stage': 'grade1', 'type': type_, 'school': schools},
            **values)

    def type_id(self, code):
        with Transaction().start(self.db_name, 0):
            Type = Pool().get('laisui.admission.type')
            return Type.search([('code', '=', code)])[0].id

    def applications(self, applicant_phone):
        with Transaction().start(self.db_name, 0):
            Application = Pool().get('laisui.admission.application')
            return [(a.id, a.state) for a in Application.search(
                    [('applicant.phone', '=', applicant_phone)])]

    def publish(self, application_id):
        "Review passed, allocation run and published; the result's token"
        with Transaction().start(self.db_name, 0) as transaction:
            pool = Pool()
            Application = pool.get('laisui.admission.application')
            Round = pool.get('laisui.admission.round')
            Run = pool.get('laisui.admission.run')
            application = Application(application_id)
            Application.write([application], {'state': 'eligible'})
            Round.commit_seed([application.round])
            run, = Run.create([{'round': application.round.id}])
            Run.execute([run])
            with Transaction().set_context(_laisui_now=CLOSED):
                Run.publish([run])
            result, = Run(run.id).results
            token = notice.token(result)
            transaction.commit()
            return token

    def return_for_correction(self, application_id):
        with Transaction().start(self.db_name, 0) as transaction:
            pool = Pool()
            Application = pool.get('laisui.admission.application')
            Case = pool.get('laisui.review.case')
            Correction = pool.get('laisui.review.correction')
            case = Application(application_id).review_case
            Correction.create([{'case': case.id,
                        'description': '请补充租赁备案证明'}])
            Case.decide([case], 'return', '材料不全')
            transaction.commit()

    def open_objections(self, round_id, application_id):
        "Open the round's objection window now; a line of the score"
        with Transaction().start(self.db_name, 0) as transaction:
            pool = Pool()
            Round = pool.get('laisui.admission.round')
            Application = pool.get('laisui.admission.application')
            now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
            Round.write([Round(round_id)], {
                    'publication_start': now - dt.timedelta(hours=1),
                    'objection_end': now + dt.timedelta(days=1)})
            line_id = Application(application_id).score_lines[0].id
            transaction.commit()
            return line_id

    def objections(self, application_id):
        with Transaction().start(self.db_name, 0):
            Objection = Pool().get('laisui.admission.objection')
            return [o.state for o in Objection.search(
                    [('application', '=', application_id)])]

    def test_apply_publish_notice_verify(self):
        client = self.client()
        self.assertEqual(self.register(
                client, PHONE, id_number(31, birth=dt.date(1985, 1, 1)),
                name="陈明").status_code, 302)
        round_id, child_id, young_id, schools = self.setup_family(PHONE)
        page = client.get(self.url('/admission')).text
        self.assertIn('我要申请', page)
        self.assertIn('您还没有积分入学申请', page)

        # A child too young: the reason and the evidence; the draft is
        # kept for the parent to resume.
        response = self.post(client, '/admission/apply', self.form(
                round_id, young_id, schools))
        self.assertEqual(response.status_code, 422)
        self.assertIn('至少年满6周岁', response.text)
        self.assertIn('出生证明', response.text)
        (application_id, state), = self.applications(PHONE)
        self.assertEqual(state, 'draft')

        # Preferences of the wrong number: refused the same way, the one
        # draft updated.
        response = self.post(client, '/admission/apply', self.form(
                round_id, child_id, []))
        self.assertEqual(response.status_code, 422)
        self.assertIn('请至少选择一所学校', response.text)
        # At the first preference, marked and described by the message,
        # which the summary links to.
        self.assertIn('<strong class="field-error" id="error-school-1">'
            '请至少选择一所学校', response.text)
        self.assertIn('name="school" aria-describedby="error-school-1" '
            'aria-invalid="true"', response.text)
        self.assertIn('<a href="#input-school-1">请至少选择一所学校',
            response.text)
        self.assertEqual(self.applications(PHONE),
            [(application_id, 'draft')])

        # An id that is no choice: the form says so, nothing changed.
        response = self.post(client, '/admission/apply', self.form(
                'abc', child_id, schools))
        self.assertEqual(response.status_code, 422)
        self.assertEqual(self.applications(PHONE),
            [(application_id, 'draft')])

        response = self.post(client, '/admission/apply', self.form(
                round_id, child_id, schools))
        self.assertEqual(response.status_code, 302)
        check = f'/admission/{application_id}/check'
        self.assertTrue(response.headers['Location'].endswith(check))
        page = client.get(self.url(check)).text
        # 核对信息: exactly what will be submitted.
        self.assertIn('核对信息', page)
        self.assertIn('第1志愿', page)
        digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page)[1]
        self.let_time_pass(PHONE)
        response = self.post(client, check,
            {'action': 'send_code', 'digest': digest})
        self.assertEqual(response.status_code, 200)
        self.assertIn('确认验证码已发送', response.text)
        code = self.last_code(PHONE)

        # Somebody else cannot submit the draft.
        other = self.client()
        self.register(other, '13600136032', '11010519491231002X',
            name="王五")
        denied = self.audit_count('access_denied')
        response = self.post(other, check,
            {'action': 'submit', 'digest': digest, 'code': code},
            token_path='/admission')
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.audit_count('access_denied'), denied + 1)

        wrong = '000000' if code != '000000' else '111111'
        response = self.post(client, check,
            {'action': 'submit', 'digest': digest, 'code': wrong},
            token_path='/admission')
        self.assertEqual(response.status_code, 422)
        self.assertIn('验证码', response.text)
        self.assertEqual(self.applications(PHONE),
            [(application_id, 'draft')])
        response = self.post(client, check,
            {'action': 'submit', 'digest': digest, 'code': code},
            token_path='/admission')
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.headers['Location'].endswith(
                f'/admission/{application_id}'))
        self.assertEqual(self.applications(PHONE),
            [(application_id, 'review')])
        done = client.get(self.url(f'/admission/{application_id}')).text
        self.assertIn(f'2021-{application_id:06d}', done)
        self.assertIn('您的申请已提交', done)
        page = client.get(self.url('/admission')).text
        self.assertIn('审核中', page)
        self.assertIn('窗口受理', page)
        self.assertIn('积分明细', page)

        # Returned for correction: the list, then one resubmission.
        self.return_for_correction(application_id)
        page = client.get(self.url('/admission')).text
        self.assertIn('请补充租赁备案证明', page)
        response = self.post(other, f'/admission/{application_id}/resubmit',
            {}, token_path='/admission')
        self.assertEqual(response.status_code, 403)
        response = self.post(client, f'/admission/{application_id}/resubmit',
            {}, token_path='/admission')
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.applications(PHONE),
            [(application_id, 'review')])
        response = self.post(client, f'/admission/{application_id}/resubmit',
            {}, token_path='/admission')
        self.assertEqual(response.status_code, 409)

        # Before publication: no notice, no public page.
        response = client.get(self.url(
                f'/admission/{application_id}/notice'))
        self.assertEqual(response.status_code, 404)
        public = self.client()
        response = public.get(self.url(
                f'/admission/rounds/{round_id}/results'))
        self.assertEqual(response.status_code, 404)

        token = self.publish(application_id)
        page = client.get(self.url('/admission')).text
        self.assertIn('拟安排至', page)
        self.assertIn('下载学位通知书', page)
        exports = self.audit_count('export')
        response = client.get(self.url(
                f'/admission/{application_id}/notice'))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers['Content-Type'], 'application/pdf')
        self.assertTrue(response.data.startswith(b'%PDF'))
        self.assertEqual(self.audit_count('export'), exports + 1)
        # Its text in CJK fonts, with the credential's number and URL.
        text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
        with Transaction().start(self.db_name, 0):
            Credential = Pool().get('laisui.credential')
            credential, = Credential.search([('token', '=', token)])
            number = credential.number
        self.assertIn('学 位 通 知 书', text)
        self.assertIn('办理入学手续', text)
        self.assertIn(f'凭证编号 {number}', text)
        self.assertIn('/verify/', text.replace('\n', ''))
        # Not the other applicant's to download.
        response = other.get(self.url(
                f'/admission/{application_id}/notice'))
        self.assertEqual(response.status_code, 403)

        # The public publication: de-identified, with cut-offs and seed.
        page = public.get(self.url(
                f'/admission/rounds/{round_id}/results')).text
        self.assertIn('陈*', page)
        self.assertNotIn('陈小明', page)
        child_number = id_number(31, birth=dt.date(2015, 5, 1))
        self.assertNotIn(child_number, page)
        self.assertIn(child_number[0] + '*' * 16 + child_number[-1], page)
        self.assertIn('各校录取最低分', page)
        self.assertIn('摇号种子', page)

        # An objection within the window, on the lines of the score.
        line_id = self.open_objections(round_id, application_id)
        page = client.get(self.url('/admission')).text
        self.assertIn('提出复核', page)
        response = self.post(client, f'/admission/{application_id}/objection',
            {'line': line_id, f'points-{line_id}': 'abc',
                'reason': '居住年限少算'}, token_path='/admission')
        self.assertEqual(response.status_code, 422)
        self.assertIn('主张分值', response.text)
        # What was typed is kept, the form open.
        self.assertIn('<details class="objection-form" open>', response.text)
        self.assertIn(f'value="{line_id}" checked', response.text)
        self.assertIn(f'name="points-{line_id}" inputmode="decimal" '
            'value="abc"', response.text)
        self.assertIn('>居住年限少算</textarea>', response.text)
        self.assertEqual(self.objections(application_id), [])
        response = self.post(other, f'/admission/{application_id}/objection',
            {'line': line_id, f'points-{line_id}': '30', 'reason': 'x'},
            token_path='/admission')
        self.assertEqual(response.status_code, 403)
        response = self.post(client, f'/admission/{application_id}/objection',
            {'line': line_id, f'points-{line_id}': '30',
                'reason': '居住年限少算'}, token_path='/admission')
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.objections(application_id), ['review'])
        page = client.get(self.url('/admission')).text
        self.assertIn('复核受理', page)

        # The QR code opens the credential's page: the notice is valid.
        page = public.get(self.url(f'/verify/{token}')).text
        self.assertIn('id="verify-valid">有效', page)
        self.assertIn('<dd>学位通知书</dd>', page)
        self.assertIn('<dt>学生</dt><dd>陈*', page)
        self.assertNotIn('陈小明', page)
        forged = token[:-2] + ('B' if token[-2] == 'A' else 'A') + token[-1]
        response = public.get(self.url(f'/verify/{forged}'))
        self.assertEqual(response.status_code, 404)
        self.assertIn('id="verify-invalid">无效凭证', response.text)
        # The first links: the old route sends to the credential's page,
        # for a token printed before the credentials too.
        response = public.get(self.url(f'/admission/verify/{token}'))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.headers['Location'].endswith(
                self.url(f'/verify/{token}')))
        with Transaction().start(self.db_name, 0):
            pool = Pool()
            Result = pool.get('laisui.admission.run.result')
            Application = pool.get('laisui.admission.application')
            legacy = notice.legacy_token(Result.published(
                    Application(application_id)))
        response = public.get(self.url(f'/admission/verify/{legacy}'))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.headers['Location'].endswith(
                self.url(f'/verify/{token}')))
        # Characters no token has: not found, not an error.
        response = public.get(self.url(
                '/admission/verify/' + legacy.partition('-')[0] + '-'
                + '通' * 20), follow_redirects=True)
        self.assertEqual(response.status_code, 404)
        self.assertIn('无效凭证', response.text)
        response = public.get(self.url(
                f'/admission/rounds/{round_id}/results?page=' + '9' * 30))
        self.assertEqual(response.status_code, 200)


    def public_round(self, first, **values):
        """A round of two schools of one place each and three eligible
        applications scored 90, 80 and 70 (applicants first, first + 1,
        first + 2), its first run published; the round's id and the
        applications' ids"""
        with Transaction().start(self.db_name, 0,
                context={'_laisui_now': NOW}) as transaction:
            pool = Pool()
            Application = pool.get('laisui.admission.application')
            Round = pool.get('laisui.admission.round')
            round_ = make_round(**values)
            schools = make_schools(round_, [1, 1])
            applications = []
            for n, score in zip(range(first, first + 3), [90, 80, 70]):
                applicant = make_applicant(n)
                child = child_of(applicant, n)
                application = draft_application(
                    round_, applicant, child, schools)
                Application.write([application], {
                        'state': 'eligible', 'score': Decimal(score),
                        'tie_points': f'{score},0',
                        'child_id_number': child.id_number})
                applications.append(application.id)
            Round.commit_seed([round_])
            transaction.commit()
            round_id = round_.id
        self.run_allocation(round_id)
        return round_id, applications

    def run_allocation(self, round_id):
        "A new run of the round, executed and published"
        with Transaction().start(self.db_name, 0,
                context={'_laisui_now': NOW}) as transaction:
            Run = Pool().get('laisui.admission.run')
            run, = Run.create([{'round': round_id}])
            Run.execute([run])
            with Transaction().set_context(_laisui_now=CLOSED):
                Run.publish([run])
            transaction.commit()

    def withdraw(self, application_id):
        with Transaction().start(self.db_name, 0) as transaction:
            Application = Pool().get('laisui.admission.application')
            Application.write([Application(application_id)],
                {'state': 'withdrawn'})
            transaction.commit()

    def test_publication_cached(self):
        "The publication is rendered once, cached, revalidated, superseded"
        round_id, (first, _, _) = self.public_round(41)
        url = self.url(f'/admission/rounds/{round_id}/results')
        client = self.client()
        with patch.object(publication_routes, '_render_publication',
                wraps=publication_routes._render_publication) as render:
            response = client.get(url)
            self.assertEqual(response.status_code, 200)
            headers = response.headers
            self.assertEqual(headers['Cache-Control'], 'public, max-age=300')
            self.assertNotIn('Pragma', headers)
            self.assertNotIn('Set-Cookie', headers)
            self.assertEqual(headers['Content-Security-Policy'], PAGE_CSP)
            self.assertEqual(headers['X-Content-Type-Options'], 'nosniff')
            self.assertEqual(headers['X-Frame-Options'], 'DENY')
            self.assertEqual(headers['Referrer-Policy'], 'same-origin')
            etag = headers['ETag']
            self.assertRegex(etag, r'^"[0-9a-f]{32}"$')
            page = response.text
            self.assertIn('第1版', page)
            self.assertIn('共 3 人符合条件，2 人获安排学位', page)
            self.assertEqual(page.count('<td data-label="姓名">陈*</td>'), 3)
            self.assertNotIn('与上一版相比的变化', page)

            again = client.get(url)
            self.assertEqual(again.data, response.data)
            self.assertEqual(again.headers['ETag'], etag)
            # Pages past the last show the last: the same entry.
            self.assertEqual(client.get(url + '?page=7').data, response.data)
            self.assertEqual(
                client.get(url + '?page=abc').data, response.data)
            not_modified = client.get(url, headers={'If-None-Match': etag})
            self.assertEqual(not_modified.status_code, 304)
            self.assertEqual(not_modified.data, b'')
            self.assertEqual(not_modified.headers['ETag'], etag)
            self.assertEqual(not_modified.headers['Cache-Control'],
                'public, max-age=300')
            self.assertEqual(not_modified.headers['Content-Security-Policy'],
                PAGE_CSP)
            weak = client.get(url, headers={'If-None-Match': 'W/' + etag})
            self.assertEqual(weak.status_code, 304)
            other = client.get(url, headers={'If-None-Match': '"0123abcd"'})
            self.assertEqual(other.status_code, 200)
            self.assertEqual(other.data, response.data)
            self.assertEqual(render.call_count, 1)

            # A new version supersedes: shown at once, the old tag stale.
            self.withdraw(first)
            self.run_allocation(round_id)
            response = client.get(url, headers={'If-None-Match': etag})
            self.assertEqual(response.status_code, 200)
            self.assertNotEqual(response.headers['ETag'], etag)
            page = response.text
            self.assertIn('第2版', page)
            self.assertNotIn('第1版', page)
            self.assertIn('共 2 人符合条件，2 人获安排学位', page)
            self.assertIn('与上一版相比的变化', page)
            # The two left both moved up a school.
            self.assertEqual(page.count('<td data-label="姓名">陈*</td>'), 4)
            self.assertEqual(render.call_count, 2)

    def test_publication_hit_queries(self):
        "A cached page costs one query"
        round_id, _ = self.public_round(71)
        url = self.url(f'/admission/rounds/{round_id}/results')
        client = self.client()
        self.assertEqual(client.get(url).status_code, 200)
        statements = []
        if backend.name == 'postgresql':
            from trytond.backend.postgresql.database import LoggingCursor
            execute = LoggingCursor.execute

            def traced(cursor, query, *args, **kwargs):
                statements.append(str(query))
                return execute(cursor, query, *args, **kwargs)
            with patch.object(LoggingCursor, 'execute', traced):
                response = client.get(url)
        else:
            with Transaction().start(self.db_name, 0) as transaction:
                # The one connection of the database in memory.
                connection = transaction.connection
            connection.set_trace_callback(statements.append)
            try:
                response = client.get(url)
            finally:
                connection.set_trace_callback(None)
        self.assertEqual(response.status_code, 200)
        selects = [s for s in statements
            if s.lstrip().upper().startswith('SELECT')]
        self.assertEqual(len(selects), 1, selects)

    def test_publication_start(self):
        "Not found before the publication starts, and not cached so"
        start = dt.datetime(2021, 6, 1, 1, 0)
        round_id, _ = self.public_round(51, publication_start=start)
        url = self.url(f'/admission/rounds/{round_id}/results')
        client = self.client()
        with patch('trytond.modules.laisui_base.clock.now',
                return_value=start - dt.timedelta(seconds=1)):
            response = client.get(url)
        self.assertEqual(response.status_code, 404)
        self.assertIn('本批次结果尚未公示', response.text)
        self.assertEqual(response.headers['Cache-Control'], 'no-store')
        self.assertNotIn('ETag', response.headers)
        with patch('trytond.modules.laisui_base.clock.now',
                return_value=start):
            response = client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn('学位分配结果公示', response.text)
        self.assertIn('第1版', response.text)
        self.assertEqual(response.headers['Cache-Control'],
            'public, max-age=300')

    def test_publication_shows_nobody_signed_in(self):
        "The cached page is the anonymous one, whoever asked for it first"
        round_id, _ = self.public_round(61)
        url = self.url(f'/admission/rounds/{round_id}/results')
        client = self.client()
        self.assertEqual(self.register(client, '13600136069',
                id_number(69, birth=dt.date(1985, 1, 1)),
                name="林静").status_code, 302)
        # Signed in, the portal's pages show the number.
        self.assertIn('136****6069', client.get(self.url('/admission')).text)

        signed_in = client.get(url)
        self.assertEqual(signed_in.status_code, 200)
        for text in ['136****6069', '13600136069', '林', '退出',
                'csrf_token', '/logout']:
            self.assertNotIn(text, signed_in.text)
        self.assertNotIn('Set-Cookie', signed_in.headers)
        anonymous = self.client().get(url)
        self.assertEqual(anonymous.data, signed_in.data)
        self.assertEqual(anonymous.headers['ETag'], signed_in.headers['ETag'])

    def test_two_scores_labelled_everywhere(self):
        """One admission score (as of the cut-off, no deductions) and the
        current points (as of their reference date), each with its label,
        the same number on every page, sao field, export and run"""
        import io

        import openpyxl

        from trytond.modules.laisui_admission.export import HEADERS, sheet
        from trytond.modules.laisui_points.tests.test_score_labels import (
            ADMISSION, CURRENT, CURRENT_LABEL, ID_NUMBER, WRONG, add_facts,
            scores_shown, set_today)
        admission_label = '入学积分（截至2021-03-31，不含减分指标）'
        phone = '13600136091'
        client = self.client()
        self.assertEqual(self.register(
                client, phone, ID_NUMBER, name="梁晓").status_code, 302)
        # Applied on NOW (2021-05-10, the statement's date), inside the
        # round's window; published once the window has closed.
        with Transaction().start(self.db_name, 0,
                context={'_laisui_now': NOW}) as transaction:
            pool = Pool()
            Applicant = pool.get('laisui.applicant')
            Application = pool.get('laisui.admission.application')
            set_today()
            applicant, = Applicant.search([('phone', '=', phone)])
            add_facts(applicant)
            verify_points(applicant)
            child = child_of(applicant, 91)
            round_ = make_round(name='越秀区积分入学（积分标注）')
            schools = make_schools(round_, [1])
            application = draft_application(
                round_, applicant, child, schools)
            Application.submit([application])
            transaction.commit()
            round_id, application_id = round_.id, application.id

        with Transaction().start(self.db_name, 0):
            pool = Pool()
            Application = pool.get('laisui.admission.application')
            Statement = pool.get('laisui.points.statement')
            application = Application(application_id)
            # The score lines are the admission indicators at the cut-off.
            lines = {l.indicator.code: l.points
                for l in application.score_lines if l.points}
            self.assertEqual(lines, {'permit': 18, 'residence': 8,
                    'insurance': 4, 'education': 50, 'age': 30,
                    'patent_invention': Decimal('6.67')})
            self.assertNotIn('credit',
                {l.indicator.code for l in application.score_lines})
            self.assertEqual(application.score, ADMISSION)
            statement = application.applicant.statement
            self.assertEqual(statement.total, CURRENT)
            self.assertEqual(statement.admission_scores,
                f'{admission_label} {ADMISSION}')
            self.assertEqual(Statement.labelled_scores(application.applicant),
                [(CURRENT_LABEL, CURRENT), (admission_label, ADMISSION)])

        with Transaction().start(self.db_name, 0, context={
                    '_laisui_now': dt.datetime(2021, 6, 1, 2, 0)}
                ) as transaction:
            pool = Pool()
            Application = pool.get('laisui.admission.application')
            Round = pool.get('laisui.admission.round')
            Run = pool.get('laisui.admission.run')
            Result = pool.get('laisui.admission.run.result')
            application = Application(application_id)
            Application.write([application], {'state': 'eligible'})
            Round.commit_seed([application.round])
            run, = Run.create([{'round': round_id}])
            Run.execute([run])
            with Transaction().set_context(_laisui_now=CLOSED):
                Run.publish([run])
            token = notice.token(Result.published(application))
            transaction.commit()
        with Transaction().start(self.db_name, 0):
            pool = Pool()
            Application = pool.get('laisui.admission.application')
            Run = pool.get('laisui.admission.run')
            Result = pool.get('laisui.admission.run.result')
            application = Application(application_id)
            candidate, = Run._load(application.round)[0]
            self.assertEqual((candidate.id, candidate.score),
                (application_id, ADMISSION))
            self.assertEqual(Result.published(application).score, ADMISSION)
            rows = list(openpyxl.load_workbook(io.BytesIO(sheet(
                            [application]))).active.iter_rows(
                    values_only=True))
        row = dict(zip(HEADERS, rows[1]))
        self.assertEqual(list(rows[0]), HEADERS)
        self.assertEqual(
            (row['入学积分（不含减分指标）'], row['入学积分截至'].date(),
                row['当前积分'], row['当前积分截至'].date()),
            (float(ADMISSION), CUTOFF, float(CURRENT), dt.date(2021, 5, 10)))

        wrong = [str(w) for w in WRONG] + ['入学可用积分', '积分总分']
        page = client.get(self.url('/points')).text
        self.assertEqual(scores_shown(page), [(CURRENT_LABEL, str(CURRENT)),
                (admission_label, str(ADMISSION))])
        admission = client.get(self.url('/admission')).text
        self.assertIn(f'<dt>{CURRENT_LABEL}</dt><dd>{CURRENT}</dd>',
            admission)
        self.assertIn(f'<dt>{admission_label}</dt>'
            f'<dd class="score">{ADMISSION}</dd>', admission)
        self.assertIn('入学积分明细（截至 2021-03-31）', admission)
        with patch.object(printout, 'pdf', return_value=b'%PDF') as pdf:
            client.get(self.url(f'/admission/{application_id}/notice'))
        (html,), _ = pdf.call_args
        self.assertIn(f'{admission_label} {ADMISSION}', html)
        public = self.client().get(self.url(
                f'/admission/rounds/{round_id}/results')).text
        self.assertIn(f'按{admission_label}从高到低', public)
        self.assertIn(
            f'<td class="num" data-label="入学积分">{ADMISSION}</td>', public)
        for text in wrong:
            with self.subTest(text=text):
                for shown in [page, admission, html, public]:
                    self.assertNotIn(text, shown)
        self.assertNotIn(str(CURRENT), html + public)
        self.assertIn('id="verify-valid">有效', self.client().get(
                self.url(f'/verify/{token}')).text)


    def submit_online(self, client, phone, round_id, child_id, schools):
        "Save, check, confirm with the code: the submitted application id"
        response = self.post(client, '/admission/apply', self.form(
                round_id, child_id, schools))
        self.assertEqual(response.status_code, 302, response.text)
        check = response.headers['Location'].split('/portal', 1)[1]
        digest = re.search(r'name="digest" value="([0-9a-f]{64})"',
            client.get(self.url(check)).text)[1]
        self.let_time_pass(phone)
        self.post(client, check, {'action': 'send_code', 'digest': digest})
        response = self.post(client, check, {'action': 'submit',
                'digest': digest, 'code': self.last_code(phone)},
            token_path='/admission')
        self.assertEqual(response.status_code, 302, response.text)
        return int(check.split('/')[2])

    def test_withdraw_and_apply_again(self):
        """Withdrawn while under review, then applied again; a decided
        application is not withdrawn; the applicant's own application is
        not blamed on the other parent"""
        phone = '13600136036'
        client = self.client()
        self.assertEqual(self.register(
                client, phone, id_number(36, birth=dt.date(1985, 1, 1)),
                name="陈明").status_code, 302)
        round_id, child_id, _, schools = self.setup_family(phone)
        first = self.submit_online(client, phone, round_id, child_id, schools)
        # Applying again for the same child while the first is open.
        response = self.post(client, '/admission/apply', self.form(
                round_id, child_id, schools))
        self.assertEqual(response.status_code, 422)
        self.assertIn(f'您已为该子女提交过本批次的申请（申请编号 2021-{first:06d}）',
            response.text)
        self.assertNotIn('父母', response.text)
        self.post(client, f'/admission/{response_draft_id(self, phone)}/delete',
            {}, token_path='/admission')

        response = self.post(client, f'/admission/{first}/withdraw', {},
            token_path='/admission')
        self.assertEqual(response.status_code, 302)
        with Transaction().start(self.db_name, 0):
            Application = Pool().get('laisui.admission.application')
            application = Application(first)
            self.assertEqual(
                (application.state, application.review_case.state),
                ('withdrawn', 'withdrawn'))
        second = self.submit_online(
            client, phone, round_id, child_id, schools)
        self.assertEqual(self.applications(phone),
            [(second, 'review'), (first, 'withdrawn')])
        # The home page's last step: the latest application.
        home = client.get(self.url('/')).text
        self.assertIn(f'href="/{self.db_name}/portal/admission">'
            '<strong>申请积分制入学</strong></a><br>'
            f'<span class="muted">申请 2021-{second:06d}：审核中</span>', home)

        # Decided: eligible after the review. Refused, nothing changed.
        with Transaction().start(self.db_name, 0) as transaction:
            Application = Pool().get('laisui.admission.application')
            Application.write([Application(second)], {'state': 'eligible'})
            transaction.commit()
        for application_id in [first, second]:
            response = self.post(client,
                f'/admission/{application_id}/withdraw', {},
                token_path='/admission')
            self.assertEqual(response.status_code, 409)
            self.assertIn('不能撤回', response.text)
        self.assertEqual(self.applications(phone),
            [(second, 'eligible'), (first, 'withdrawn')])


def response_draft_id(case, phone):
    "The id of phone's draft application"
    (draft,) = [i for i, state in case.applications(phone)
        if state == 'draft']
    return draft


del RouteTestCase
