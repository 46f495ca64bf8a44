# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Window acceptance: the originals checklist, the acceptance number, the
receipt and what each decision tells the person who took it."""
import datetime as dt
import io

from pypdf import PdfReader

from trytond.modules.laisui_base.tests.clamd import ClamdMixin
from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, png_bytes, staff)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from trytond.modules.laisui_review.acceptance import acceptance_number
from trytond.modules.laisui_review.exceptions import DecisionError
from .tools import NOW, acting, make_applicant, submit, use_reference_date

# 20 working days after Wednesday 2026-09-30, counted by hand: the National
# Day holidays (1–7 October) skipped, Saturday 10 October worked, the other
# weekends skipped: 8, 9, 10, 12–16, 19–23, 26–30 October, 2, 3 November.
PROMISED = dt.date(2026, 11, 3)


class AcceptanceTestCase(ClamdMixin, ActivatedTestCase):
    "Window acceptance"
    modules = ['laisui_review']

    def at(self, now=NOW):
        return Transaction().set_context(_laisui_now=now, language='zh_CN')

    def at_acceptance(self, clerk, uploads=('residence_permit', 'rental_cert')):
        "A case at 现场受理 whose applicant uploaded these materials"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Evidence = pool.get('laisui.evidence')
        EvidenceType = pool.get('laisui.evidence.type')
        use_reference_date()
        applicant = make_applicant()
        Evidence.create([{'applicant': applicant.id,
                    'type': EvidenceType.search([('code', '=', code)])[0].id,
                    'data': png_bytes()} for code in uploads])
        case = submit(applicant)
        with acting(clerk):
            Case.pass_([Case(case.id)])
        case = Case(case.id)
        self.assertEqual(case.stage.code, 'acceptance')
        return case

    def originals(self, case):
        return {o.rec_name: o for o in Pool().get('laisui.review.case')(
                case.id).originals}

    @with_transaction()
    def test_checklist_lists_the_uploaded_originals(self):
        "One tick per required material the applicant uploaded"
        with self.at():
            clerk = staff('clerk01', 'group_window_clerk')
            case = self.at_acceptance(clerk)
            self.assertEqual(sorted(self.originals(case)), sorted([
                        '居住证：广东省居住证',
                        '合法稳定住所：房屋租赁登记备案证明',
                        ]))

    @with_transaction()
    def test_pass_refused_while_an_original_is_unticked(self):
        "The message names the unticked original; nothing changes"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Original = pool.get('laisui.review.original')
        AuditLog = pool.get('laisui.audit.log')
        with self.at():
            clerk = staff('clerk01', 'group_window_clerk')
            case = self.at_acceptance(clerk)
            originals = self.originals(case)
            with acting(clerk):
                Original.write([originals['居住证：广东省居住证']],
                    {'verified': True})
            steps = len(Case(case.id).steps)
            audits = AuditLog.search_count([])
            with acting(clerk), self.assertRaises(DecisionError) as cm:
                Case.pass_([Case(case.id)])
            self.assertIn('不能受理', cm.exception.message)
            self.assertIn('合法稳定住所：房屋租赁登记备案证明',
                cm.exception.message)
            self.assertNotIn('广东省居住证', cm.exception.message)
            case = Case(case.id)
            self.assertEqual(case.stage.code, 'acceptance')
            self.assertIsNone(case.acceptance_number)
            self.assertEqual(len(case.steps), steps)
            self.assertEqual(AuditLog.search_count([]), audits)

    @with_transaction()
    def test_tick_is_stored_and_audited(self):
        "Who saw which original, when; unticking forgets them"
        pool = Pool()
        Original = pool.get('laisui.review.original')
        AuditLog = pool.get('laisui.audit.log')
        with self.at():
            clerk = staff('clerk01', 'group_window_clerk')
            case = self.at_acceptance(clerk)
            original = self.originals(case)['居住证：广东省居住证']
            with acting(clerk):
                Original.write([original], {'verified': True})
            original = Original(original.id)
            self.assertEqual(original.verified_by, clerk)
            self.assertEqual(original.verified_at, NOW)
            logs = AuditLog.search([('resource', '=', str(case)),
                    ('action', '=', 'write'), ('detail', '=', 'original')])
            self.assertEqual([(l.from_value, l.to_value) for l in logs],
                [('居住证：广东省居住证', 'verified')])
            with acting(clerk):
                Original.write([original], {'verified': False})
            original = Original(original.id)
            self.assertIsNone(original.verified_by)
            self.assertIsNone(original.verified_at)

    @with_transaction()
    def test_only_the_stage_clerk_ticks(self):
        "A reviewer may not tick, nor anybody change the list"
        pool = Pool()
        Original = pool.get('laisui.review.original')
        with self.at():
            clerk = staff('clerk01', 'group_window_clerk')
            admin = staff('dadmin01', 'group_district_admin')
            case = self.at_acceptance(clerk)
            original = self.originals(case)['居住证：广东省居住证']
            with acting(admin), self.assertRaises(DecisionError):
                Original.write([original], {'verified': True})
            with acting(clerk), self.assertRaises(DecisionError) as cm:
                Original.write([original], {'evidence_type': None})
            self.assertIn('原件清单不能增删或修改', cm.exception.message)
            self.assertFalse(Original(original.id).verified)

    @with_transaction()
    def test_accept_gives_number_receipt_and_message(self):
        "Passing with every original ticked: number, receipt, message"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Original = pool.get('laisui.review.original')
        Receipt = pool.get('laisui.review.acceptance_receipt', type='report')
        Result = pool.get('laisui.review.decision_result', type='wizard')
        with self.at():
            clerk = staff('clerk01', 'group_window_clerk')
            case = self.at_acceptance(clerk)
            with acting(clerk):
                Original.write(list(self.originals(case).values()),
                    {'verified': True})
                action = Case.pass_([Case(case.id)])
            case = Case(case.id)
            self.assertEqual(case.acceptance_number, 'SL2026-000001')
            self.assertEqual(case.accepted_by, clerk)
            self.assertEqual(case.promised_date, PROMISED)
            self.assertEqual(case.stage.code, 'first_review')

            with acting(clerk):
                ext, data, _, name = Receipt.execute([case.id], {})
            self.assertEqual(ext, 'pdf')
            text = ''.join(p.extract_text()
                for p in PdfReader(io.BytesIO(data)).pages)
            self.assertIn('SL2026-000001', text)
            id_number = case.applicant.id_number
            self.assertIn(id_number[:6] + '********' + id_number[-4:], text)
            self.assertNotIn(id_number, text)
            self.assertIn('2026-11-03', text)
            self.assertIn('12345', text)
            self.assertIn('房屋租赁登记备案证明', text)

            ModelData = pool.get('ir.model.data')
            self.assertEqual(action, ModelData.get_id(
                    'laisui_review', 'wizard_decision_result'))
            with acting(clerk), Transaction().set_context(
                    active_model='laisui.review.case', active_id=case.id,
                    active_ids=[case.id]):
                session_id, _, _ = Result.create()
                result = Result.execute(session_id, {}, 'start')
            values = result['view']['defaults']
            self.assertEqual(values['message'],
                f'已受理“{case.rec_name}”，受理编号 SL2026-000001。'
                '已发送短信通知申请人。')
            self.assertTrue(values['accepted'])

    @with_transaction()
    def test_receipt_refused_before_acceptance(self):
        pool = Pool()
        Receipt = pool.get('laisui.review.acceptance_receipt', type='report')
        with self.at():
            clerk = staff('clerk01', 'group_window_clerk')
            case = self.at_acceptance(clerk)
            with acting(clerk), self.assertRaises(DecisionError) as cm:
                Receipt.execute([case.id], {})
            self.assertIn('尚未受理', cm.exception.message)

    @with_transaction()
    def test_numbers_follow_each_other_per_year(self):
        "Gap-free within a year, from 1 again the next year"
        with self.at():
            self.assertEqual(
                [acceptance_number(2026) for _ in range(3)]
                + [acceptance_number(2027), acceptance_number(2026)],
                ['SL2026-000001', 'SL2026-000002', 'SL2026-000003',
                    'SL2027-000001', 'SL2026-000004'])

    @with_transaction()
    def test_number_kept_through_a_return(self):
        "A case returned after acceptance keeps its number; none is spent"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Correction = pool.get('laisui.review.correction')
        with self.at():
            clerk = staff('clerk01', 'group_window_clerk')
            case = self.at_acceptance(clerk, uploads=())
            # No material uploaded: nothing to tick.
            self.assertEqual(self.originals(case), {})
            with acting(clerk):
                Case.pass_([Case(case.id)])
            self.assertEqual(Case(case.id).acceptance_number, 'SL2026-000001')
            with acting(staff('reviewer01', 'group_district_reviewer')):
                Correction.create([{'case': case.id,
                            'description': '补充租赁合同原件'}])
                Case.decide([Case(case.id)], 'return', '材料不全')
            Case.resubmit([Case(case.id)])
            case = Case(case.id)
            self.assertEqual(case.stage.code, 'first_review')
            self.assertEqual(case.acceptance_number, 'SL2026-000001')
            self.assertEqual(acceptance_number(2026), 'SL2026-000002')

    @with_transaction()
    def test_message_of_each_decision(self):
        "Passed, returned, rejected: one sentence each, and the SMS"
        pool = Pool()
        Case = pool.get('laisui.review.case')
        Correction = pool.get('laisui.review.correction')
        Message = pool.get('laisui.sms.message')
        with self.at():
            clerk = staff('clerk01', 'group_window_clerk')
            reviewer = staff('reviewer01', 'group_district_reviewer')
            case = self.at_acceptance(clerk, uploads=())
            label, phone = case.rec_name, case.applicant.phone
            self.assertEqual(case.decision_message(reviewer.id),
                f'您尚未对“{label}”作出决定。')
            # The prereview pass entered 现场受理, which sends no notice.
            self.assertEqual(case.decision_message(clerk.id),
                f'已通过“{label}”，案件进入“现场受理”。')
            with acting(clerk):
                Correction.create([{'case': case.id,
                            'description': '身份证复印件不清晰'}])
                Case.decide([Case(case.id)], 'return', '请补正')
            self.assertEqual(Case(case.id).decision_message(clerk.id),
                f'已退回补正“{label}”，补正清单已告知申请人。'
                '已发送短信通知申请人。')
            Case.resubmit([Case(case.id)])
            sms = Message.search_count([('phone', '=', phone)])
            with acting(clerk):
                Case.decide([Case(case.id)], 'reject', '不符合申请条件')
            # The request tells the applicant it ended.
            self.assertEqual(
                Message.search_count([('phone', '=', phone)]), sms + 1)
            self.assertEqual(Case(case.id).decision_message(clerk.id),
                f'已驳回“{label}”。已发送短信通知申请人。')

    @with_transaction()
    def test_upgrade_marks_the_seeded_window_stage(self):
        "A database from before the checklist: its 现场受理 becomes one"
        Stage = Pool().get('laisui.review.stage')
        Stage.__table_handler__('laisui_review').drop_column('acceptance')
        Stage.__register__('laisui_review')
        points = [('workflow.document_model', '=',
                'laisui.review.points_request')]
        stages = Stage.search([('code', '=', 'acceptance')] + points)
        self.assertTrue(stages)
        self.assertEqual({(s.acceptance, s.promise_days) for s in stages},
            {(True, 20)})
        self.assertEqual(Stage.search([('acceptance', '=', True)]), stages)
