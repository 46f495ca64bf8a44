# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The applicant follows a request on the portal, reads the complete list
of corrections, and resubmits once; nobody else can."""
from trytond.modules.laisui_base.tests.tools import PortalTestMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction

from trytond.modules.laisui_review.tests.tools import NOW


class ReviewPortalTestCase(PortalTestMixin, RouteTestCase):
    "Review pages of the applicant portal"
    module = 'laisui_review'
    language = 'zh_CN'

    def returned_request(self, phone):
        "Submit a request for the applicant of phone and return it"
        with Transaction().start(self.db_name, 0, context={
                    '_laisui_now': NOW}) as transaction:
            pool = Pool()
            Applicant = pool.get('laisui.applicant')
            Request = pool.get('laisui.review.points_request')
            Case = pool.get('laisui.review.case')
            Correction = pool.get('laisui.review.correction')
            applicant, = Applicant.search([('phone', '=', phone)])
            request, = Request.create([{'applicant': applicant.id}])
            Request.submit([request])
            case = Request(request.id).review_case
            Correction.create([
                    {'case': case.id, 'description': '请上传居住证正反面'},
                    {'case': case.id, 'description': '租赁合同缺少备案号'},
                    ])
            Case.decide([case], 'return', '材料不全')
            transaction.commit()
            return request.id

    def state(self, request_id):
        with Transaction().start(self.db_name, 0):
            pool = Pool()
            request = pool.get('laisui.review.points_request')(request_id)
            return request.state, request.review_case.state

    def state_audit(self, request_id):
        "(from, to, portal account's phone) of the request's state changes"
        with Transaction().start(self.db_name, 0):
            AuditLog = Pool().get('laisui.audit.log')
            entries = AuditLog.search([
                    ('resource', '=',
                        f'laisui.review.points_request,{request_id}'),
                    ('action', '=', 'state'),
                    ], order=[('id', 'ASC')])
            return [(e.from_value, e.to_value,
                    e.web_user.phone if e.web_user else None)
                for e in entries]

    def test_corrections_and_resubmission(self):
        client = self.client()
        phone = '13600136020'
        self.assertEqual(self.register(
                client, phone, '440524199001011221').status_code, 302)
        page = client.get(self.url('/reviews')).text
        self.assertIn('还没有提交过积分核定申请', page)

        request_id = self.returned_request(phone)
        page = client.get(self.url('/reviews')).text
        self.assertIn('退回补正', page)
        # The complete list, in one place.
        self.assertIn('请上传居住证正反面', page)
        self.assertIn('租赁合同缺少备案号', page)
        self.assertIn('网上预审', page)

        # Somebody else's request: 403, audited, nothing resubmitted.
        other = self.client()
        self.register(other, '13600136021', '11010519491231002X', name="王五")
        denied = self.audit_count('access_denied')
        response = self.post(other, f'/reviews/{request_id}/resubmit', {},
            token_path='/reviews')
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.audit_count('access_denied'), denied + 1)
        self.assertEqual(self.state(request_id), ('returned', 'returned'))

        # Without the form's token: refused, nothing changed.
        response = client.post(self.url(f'/reviews/{request_id}/resubmit'),
            data={})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.state(request_id), ('returned', 'returned'))

        response = self.post(client, f'/reviews/{request_id}/resubmit', {},
            token_path='/reviews')
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.state(request_id), ('review', 'open'))
        # Audited as the applicant's: returned → review, by their account.
        self.assertEqual(self.state_audit(request_id), [
                ('draft', 'review', None),
                ('review', 'returned', None),
                ('returned', 'review', phone),
                ])
        page = client.get(self.url('/reviews')).text
        self.assertIn('审核中', page)
        self.assertNotIn('补正完成，重新提交', page)

        # Twice (a second tab): a clear message, nothing changed.
        response = self.post(client, f'/reviews/{request_id}/resubmit', {},
            token_path='/reviews')
        self.assertEqual(response.status_code, 409)
        self.assertIn('不在待补正状态', response.text)
        self.assertEqual(self.state(request_id), ('review', 'open'))
