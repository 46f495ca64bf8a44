# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the applicant declared and their school applications: a child
with an application is kept, a draft goes with its child, a document
under review locks the declarations until it is returned or decided."""
import datetime as dt
import re

from trytond.modules.laisui_admission.tests.tools import (
    child_of, draft_application, make_round, make_schools)
from trytond.modules.laisui_base.tests.tools import PortalTestMixin
from trytond.modules.laisui_connectors.tests.tools import id_number
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction

PHONE = '13600137101'


class AdmissionCorrectionsTestCase(PortalTestMixin, RouteTestCase):
    "Corrections of declarations kept by school applications and reviews"
    module = 'laisui_admission'
    language = 'zh_CN'

    def state(self, model, record_id, state):
        with Transaction().start(self.db_name, 0) as transaction:
            Model = Pool().get(model)
            Model.write([Model(record_id)], {'state': state})
            transaction.commit()

    def exists(self, model, record_id):
        with Transaction().start(self.db_name, 0):
            return bool(Pool().get(model).search([('id', '=', record_id)]))

    def test_children_applications_and_reviews(self):
        client = self.client()
        self.assertEqual(self.register(client, PHONE,
                id_number(101, birth=dt.date(1985, 1, 1)), name="陈明"
                ).status_code, 302)
        with Transaction().start(self.db_name, 0) as transaction:
            pool = Pool()
            Applicant = pool.get('laisui.applicant')
            Fact = pool.get('laisui.fact')
            applicant, = Applicant.search([('phone', '=', PHONE)])
            round_ = make_round()
            schools = make_schools(round_, [1])
            drafted = child_of(applicant, 101)
            applied = child_of(applicant, 102)
            draft = draft_application(round_, applicant, drafted, schools)
            kept = draft_application(round_, applicant, applied, schools)
            fact, = Fact.create([{'applicant': applicant.id,
                        'kind': 'education', 'level': 'bachelor',
                        'date_from': dt.date(2010, 7, 1)}])
            ids = drafted.id, applied.id, draft.id, kept.id, fact.id
            draft_label = draft.rec_name
            applied_label = (
                f'{applied.name}（{applied.id_number_masked}）')
            number = kept.number
            transaction.commit()
        drafted_id, applied_id, draft_id, kept_id, fact_id = ids
        self.state('laisui.admission.application', kept_id, 'eligible')

        # A draft goes with its child, said so before.
        page = client.get(self.url(f'/family/{drafted_id}/delete')).text
        self.assertIn('以下尚未提交的草稿将一并删除', page)
        self.assertIn(draft_label, page)
        response = self.post(client, f'/family/{drafted_id}/delete', {})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(self.exists('laisui.family.member', drafted_id))
        self.assertFalse(
            self.exists('laisui.admission.application', draft_id))

        # A submitted application keeps its child: said before asking.
        kept = f'“{applied_label}”已被“积分入学申请”使用，不能删除。'
        response = client.get(self.url(f'/family/{applied_id}/delete'))
        self.assertEqual(response.status_code, 400)
        self.assertIn(kept, response.text)
        response = self.post(client, f'/family/{applied_id}/delete', {},
            token_path='/family')
        self.assertEqual(response.status_code, 400)
        self.assertIn(kept, response.text)
        self.assertTrue(self.exists('laisui.family.member', applied_id))
        self.assertTrue(self.exists('laisui.admission.application', kept_id))

        # Under review: locked, the document named with its number.
        message = f'“积分入学申请 {number}”正在审核中'
        self.state('laisui.admission.application', kept_id, 'review')
        page = client.get(self.url('/facts')).text
        self.assertIn(message, page)
        self.assertNotIn(f'/facts/{fact_id}/edit', page)
        response = self.post(client, f'/facts/{fact_id}/edit', {
                'kind': 'education', 'level': 'master',
                'date_from': '2010-07-01'}, token_path='/facts')
        self.assertEqual(response.status_code, 400)
        self.assertIn(message, response.text)
        with Transaction().start(self.db_name, 0):
            self.assertEqual(Pool().get('laisui.fact')(fact_id).level,
                'bachelor')

        # Returned for correction: editable again.
        self.state('laisui.admission.application', kept_id, 'returned')
        page = client.get(self.url('/facts')).text
        self.assertNotIn('正在审核中', page)
        self.assertIn(f'/facts/{fact_id}/edit', page)
        response = self.post(client, f'/facts/{fact_id}/edit', {
                'kind': 'education', 'level': 'master',
                'date_from': '2010-07-01'})
        self.assertEqual(response.status_code, 302)

        # A points verification request under review locks them as well.
        with Transaction().start(self.db_name, 0) as transaction:
            Request = Pool().get('laisui.review.points_request')
            request, = Request.create([{
                        'applicant': Pool().get('laisui.fact')(
                            fact_id).applicant.id,
                        'state': 'review'}])
            request_number = request.number
            transaction.commit()
        self.assertRegex(request_number, r'^P\d{4}-\d{6}$')
        page = client.get(self.url('/family')).text
        self.assertIn(f'“积分核定申请 {request_number}”正在审核中', page)
        self.assertEqual(re.findall(r'/family/\d+/(?:edit|delete)', page),
            [])

        # And an objection to the application's result.
        self.state('laisui.review.points_request', request.id, 'approved')
        with Transaction().start(self.db_name, 0) as transaction:
            Objection = Pool().get('laisui.admission.objection')
            Objection.create([{'application': kept_id,
                        'reason': "租赁年限计算有误", 'state': 'review'}])
            transaction.commit()
        page = client.get(self.url('/evidence')).text
        self.assertIn(f'“复核申请 {number}”正在审核中', page)
        self.assertNotIn('积分核定申请', page)


del RouteTestCase
