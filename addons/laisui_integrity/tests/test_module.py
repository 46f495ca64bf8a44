# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.model.exceptions import AccessError
from trytond.modules.laisui_base.exceptions import StateConflictError
from trytond.modules.laisui_integrity.exceptions import (
    AppealError, BarredError, DecisionError, IntegrityDeleteError,
    PolicyError)
from trytond.modules.laisui_base.tests.clamd import ClamdMixin
from trytond.modules.laisui_base.tests.tools import staff
from trytond.modules.laisui_points.tests.tools import make_applicant
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from .tools import NOW, report


class LaisuiIntegrityTestCase(ClamdMixin, ModuleTestCase):
    "laisui_integrity"
    module = 'laisui_integrity'
    language = 'zh_CN'

    def _at(self, now):
        return Transaction().set_context(_laisui_now=now)

    def _policy(self, kind, **values):
        Policy = Pool().get('laisui.integrity.policy')
        policy, = Policy.search([('kind', '=', kind)])
        Policy.write([policy], values)
        return policy

    def _sms(self, phone):
        SMS = Pool().get('laisui.sms.message')
        return [m.content for m in SMS.search(
                [('phone', '=', phone)], order=[('id', 'ASC')])]

    def _audit(self, resource, action='state'):
        AuditLog = Pool().get('laisui.audit.log')
        return [(a.from_value, a.to_value) for a in AuditLog.search([
                    ('resource', '=', str(resource)),
                    ('action', '=', action),
                    ], order=[('id', 'ASC')])]

    @with_transaction()
    def test_confirm_bars_by_policy(self):
        "Confirming bars the applicant for 5 years from every service"
        pool = Pool()
        Record = pool.get('laisui.integrity.record')
        Entry = pool.get('laisui.integrity.blacklist')
        with self._at(NOW):
            applicant = make_applicant()
            record = report(applicant)
            self.assertRegex(record.number, r'^CX\d{8}$')
            self.assertEqual(record.state, 'reported')
            # Reported only: nobody is barred on a suspicion.
            applicant.check_can_apply('admission')

            Record.confirm([record])
            entry, = Entry.search([('record', '=', record.id)])
            self.assertEqual(entry.start_date, dt.date(2026, 3, 2))
            self.assertEqual(entry.end_date, dt.date(2031, 3, 1))
            self.assertTrue(entry.all_services)
            self.assertIn('穗府规〔2018〕9号', entry.legal_basis)

            for service in ['admission', 'public_service', 'points']:
                with self.assertRaises(BarredError) as cm:
                    applicant.check_can_apply(service)
            message = cm.exception.message
            self.assertIn('2031-03-01', message)
            self.assertIn('提供虚假材料', message)
            self.assertIn('申诉', message)
            self.assertNotIn('印章', message)
            self.assertNotIn(record.number, message)
            with self.assertRaises(BarredError) as cm:
                applicant.check_can_apply('admission', staff=True)
            self.assertIn(record.number, cm.exception.message)
            self.assertIn('不能作出', cm.exception.message)

        sms, = self._sms(applicant.phone)
        self.assertIn('2026-03-02至2031-03-01', sms)
        self.assertEqual(self._audit(record), [('reported', 'confirmed')])
        self.assertEqual(
            self._audit(record, 'create'), [(None, 'reported')])
        self.assertEqual(
            self._audit(entry, 'create'), [(None, '2026-03-02~2031-03-01')])

    @with_transaction()
    def test_decided_twice(self):
        "A record decided meanwhile: a clear conflict, nothing written"
        Record = Pool().get('laisui.integrity.record')
        Entry = Pool().get('laisui.integrity.blacklist')
        with self._at(NOW):
            record = report(make_applicant())
            Record.confirm([record])
            for decide in [Record.confirm, Record.dismiss]:
                with self.assertRaises(StateConflictError) as cm:
                    record.decision_note = "重复处理"
                    decide([record])
                self.assertIn('已被他人处理', cm.exception.message)
                self.assertIn(record.number, cm.exception.message)
        self.assertEqual(Entry.search_count([('record', '=', record.id)]), 1)
        self.assertEqual(self._audit(record), [('reported', 'confirmed')])

    @with_transaction()
    def test_dismiss(self):
        "Dismissing needs a reason and bars nobody"
        Record = Pool().get('laisui.integrity.record')
        Entry = Pool().get('laisui.integrity.blacklist')
        with self._at(NOW):
            applicant = make_applicant()
            record = report(applicant)
            with self.assertRaises(DecisionError) as cm:
                Record.dismiss([record])
            self.assertIn('驳回', cm.exception.message)
            self.assertEqual(record.state, 'reported')
            record.decision_note = "复核原件，印章真实"
            record.save()
            Record.dismiss([record])
            self.assertEqual(record.state, 'dismissed')
            self.assertEqual(Entry.search([]), [])
            applicant.check_can_apply('admission')

    @with_transaction()
    def test_expires_at_midnight_of_end_date(self):
        "Barred all through the end date in Guangzhou, free one second later"
        Record = Pool().get('laisui.integrity.record')
        Entry = Pool().get('laisui.integrity.blacklist')
        self._policy('false_material', years=1)
        with self._at(NOW):
            applicant = make_applicant()
            record = report(applicant)
            Record.confirm([record])
        entry, = record.entries
        self.assertEqual(entry.end_date, dt.date(2027, 3, 1))
        last_second = dt.datetime(2027, 3, 1, 15, 59, 59)  # 23:59:59 CST
        midnight = dt.datetime(2027, 3, 1, 16, 0, 0)       # 00:00:00 CST
        with self._at(last_second):
            with self.assertRaises(BarredError):
                applicant.check_can_apply('admission')
            self.assertEqual(Entry.expire(), [])
        self.assertEqual(entry.state, 'active')
        with self._at(midnight):
            # Free before the nightly job runs: the check reads the dates.
            applicant.check_can_apply('admission')
            self.assertEqual(Entry.expire(), [entry])
        self.assertEqual(entry.state, 'expired')
        self.assertEqual(self._audit(entry), [('active', 'expired')])
        # An explicit date still answers for the past.
        with self.assertRaises(BarredError):
            applicant.check_can_apply('admission', date=dt.date(2026, 6, 1))

    @with_transaction()
    def test_scope_one_service(self):
        "A policy limited to admission leaves the other services open"
        pool = Pool()
        Record = pool.get('laisui.integrity.record')
        Service = pool.get('laisui.integrity.service')
        admission = Service.get('admission')
        self._policy('forged_document', all_services=False,
            services=[('add', [admission.id])])
        with self._at(NOW):
            applicant = make_applicant()
            Record.confirm([report(applicant, kind='forged_document')])
            with self.assertRaises(BarredError) as cm:
                applicant.check_can_apply('admission')
            self.assertIn('积分制入学', cm.exception.message)
            self.assertIn('伪造', cm.exception.message)
            applicant.check_can_apply('public_service')
            applicant.check_can_apply('points')
            # An unknown service is barred only by all-services entries.
            applicant.check_can_apply('unknown')

    @with_transaction()
    def test_appeal_lifted(self):
        "An appeal lifted lets the applicant apply again; one appeal only"
        pool = Pool()
        Record = pool.get('laisui.integrity.record')
        Appeal = pool.get('laisui.integrity.appeal')
        with self._at(NOW):
            applicant = make_applicant()
            record = report(applicant)
            Record.confirm([record])
            entry, = record.entries
            with self.assertRaises(AppealError) as cm:
                Appeal.lodge(entry, "不服")
            self.assertIn('10', cm.exception.message)
            appeal = Appeal.lodge(entry, "租赁合同真实有效，附房东证明及备案回执。")
            self.assertEqual(appeal.applicant, applicant)
            with self.assertRaises(AppealError) as cm:
                Appeal.lodge(entry, "再次申诉，请重新审查我的材料。")
            self.assertIn('只能申诉一次', cm.exception.message)
            with self.assertRaises(DecisionError):
                Appeal.lift([appeal])
            self.assertEqual(appeal.state, 'pending')
            with self.assertRaises(BarredError):
                applicant.check_can_apply('admission')

            appeal.reply = "经复核，备案回执真实，撤销黑名单。"
            appeal.save()
            Appeal.lift([appeal])
            self.assertEqual(appeal.state, 'lifted')
            self.assertEqual(entry.state, 'lifted')
            applicant.check_can_apply('admission')
            with self.assertRaises(StateConflictError):
                Appeal.uphold([appeal])
        self.assertIn('撤销', self._sms(applicant.phone)[-1])
        self.assertEqual(self._audit(appeal), [('pending', 'lifted')])
        self.assertEqual(self._audit(entry), [('active', 'lifted')])

    @with_transaction()
    def test_appeal_upheld(self):
        "An upheld appeal leaves the bar; an ended entry cannot be appealed"
        pool = Pool()
        Record = pool.get('laisui.integrity.record')
        Appeal = pool.get('laisui.integrity.appeal')
        Entry = pool.get('laisui.integrity.blacklist')
        with self._at(NOW):
            applicant = make_applicant()
            Record.confirm([report(applicant)])
            entry, = Entry.search([])
            appeal = Appeal.lodge(entry, "材料由中介代办，本人并不知情。")
            appeal.reply = "经核查，材料系本人签字提交，维持原决定。"
            appeal.save()
            Appeal.uphold([appeal])
            with self.assertRaises(BarredError):
                applicant.check_can_apply('admission')
        with self._at(dt.datetime(2031, 3, 2, 2, 0)):
            with self.assertRaises(AppealError) as cm:
                Appeal.lodge(entry, "已经到期了，仍然想申诉一次。")
            self.assertIn('只能申诉一次', cm.exception.message)

    @with_transaction()
    def test_ended_entry_and_record_only_policy(self):
        "An entry past its end cannot be appealed; a 0-year kind bars nobody"
        pool = Pool()
        Record = pool.get('laisui.integrity.record')
        Appeal = pool.get('laisui.integrity.appeal')
        with self._at(NOW):
            applicant = make_applicant()
            Record.confirm([report(applicant)])
            entry, = pool.get('laisui.integrity.blacklist').search([])
        with self._at(dt.datetime(2031, 3, 2, 2, 0)):
            with self.assertRaises(AppealError) as cm:
                Appeal.lodge(entry, "已经到期了，仍然想申诉一次。")
            self.assertIn('不再有效', cm.exception.message)
            record = report(applicant, kind='other')
            Record.confirm([record])
            self.assertEqual(record.entries, ())
            applicant.check_can_apply('admission')

    @with_transaction()
    def test_delete(self):
        "Nobody deletes a confirmed or dismissed record, nor an entry"
        pool = Pool()
        Record = pool.get('laisui.integrity.record')
        Entry = pool.get('laisui.integrity.blacklist')
        with self._at(NOW):
            applicant = make_applicant()
            confirmed, duplicate = report(applicant), report(applicant)
            Record.confirm([confirmed])
            admin = staff('admin01', 'group_district_admin')
            with Transaction().set_user(admin.id), \
                    Transaction().set_context(_check_access=True):
                with self.assertRaises(IntegrityDeleteError) as cm:
                    Record.delete([Record(confirmed.id)])
                self.assertIn('不能删除', cm.exception.message)
                with self.assertRaises(IntegrityDeleteError):
                    Entry.delete(Entry.search([]))
                # A duplicate report may go while nobody decided it.
                Record.delete([Record(duplicate.id)])
        self.assertEqual(Record.search([]), [confirmed])
        self.assertEqual(len(Entry.search([])), 1)
        self.assertEqual(self._audit(duplicate), [('reported', 'deleted')])

    @with_transaction()
    def test_department_reviewer_sees_own_reports_only(self):
        "A department reviewer cannot read another reviewer's record"
        pool = Pool()
        Record = pool.get('laisui.integrity.record')
        with self._at(NOW):
            applicant = make_applicant()
            other = make_applicant(name="李四", id_number='11010519491231002X',
                phone='13600136000')
            hrss = staff('hrss01', 'group_department_reviewer')
            police = staff('police01', 'group_department_reviewer')
            district = staff('district01', 'group_district_reviewer')

            def as_user(user):
                return Transaction().set_user(user.id), \
                    Transaction().set_context(_check_access=True)

            u, c = as_user(hrss)
            with u, c:
                mine, = Record.create([{'applicant': applicant.id,
                            'kind': 'false_material',
                            'description': "社保缴费证明与系统不符"}])
                self.assertEqual(mine.reported_by, hrss)
            u, c = as_user(police)
            with u, c:
                theirs, = Record.create([{'applicant': other.id,
                            'kind': 'forged_document',
                            'description': "居住证签注系伪造"}])
                self.assertEqual(Record.search([]), [theirs])
                with self.assertRaises(AccessError):
                    Record.read([mine.id], ['description'])
                # Confirming is for district admins only.
                with self.assertRaises(AccessError):
                    Record.write([theirs], {'state': 'confirmed'})
            u, c = as_user(district)
            with u, c:
                self.assertEqual(len(Record.search([])), 2)

    @with_transaction()
    def test_policy_validation(self):
        "A policy that bars must say from what, for a non-negative term"
        Policy = Pool().get('laisui.integrity.policy')
        concealment, = Policy.search([('kind', '=', 'concealment')])
        fraud, = Policy.search([('kind', '=', 'intermediary_fraud')])
        with self.assertRaises(PolicyError) as cm:
            Policy.write([concealment], {'all_services': False})
        self.assertIn('隐瞒真实情况', cm.exception.message)
        with self.assertRaises(PolicyError) as cm:
            Policy.write([fraud], {'years': -1})
        self.assertIn('不能为负数', cm.exception.message)

    @with_transaction()
    def test_search_masked_id_and_statistics(self):
        "Staff find records by the masked ID the lists show; counts by month"
        pool = Pool()
        Record = pool.get('laisui.integrity.record')
        Statistic = pool.get('laisui.integrity.record.statistic')
        with self._at(NOW):
            applicant = make_applicant()
            a, b = report(applicant), report(applicant, kind='concealment')
            Record.confirm([a])
        found = Record.search(
            [('applicant', 'ilike', '%440524********1221%')])
        self.assertEqual(set(found), {a, b})
        self.assertEqual(Record.search(
                [('applicant', 'ilike', '%440524********9999%')]), [])
        rows = {(s.month, s.kind): (s.reported, s.confirmed, s.total)
            for s in Statistic.search([])}
        self.assertEqual(rows, {
                (dt.date(2026, 3, 1), 'false_material'): (0, 1, 1),
                (dt.date(2026, 3, 1), 'concealment'): (1, 0, 1),
                })

    @with_transaction()
    def test_report_wizard_from_evidence(self):
        "From a piece of evidence, one step files the record against it"
        pool = Pool()
        Evidence = pool.get('laisui.evidence')
        EvidenceType = pool.get('laisui.evidence.type')
        Report = pool.get('laisui.integrity.record.report', type='wizard')
        from trytond.modules.laisui_base.tests.tools import png_bytes
        with self._at(NOW):
            applicant = make_applicant()
            type_, = EvidenceType.search([], limit=1)
            evidence, = Evidence.create([{'applicant': applicant.id,
                        'type': type_.id, 'data': png_bytes()}])
            session_id, _, _ = Report.create()
            with Transaction().set_context(
                    active_model='laisui.evidence', active_id=evidence.id,
                    active_ids=[evidence.id]):
                report_ = Report(session_id)
                values = report_.default_start(None)
                self.assertEqual(values['applicant'], applicant.id)
                self.assertEqual(values['evidence'], evidence.id)
                report_.start.applicant = applicant
                report_.start.origin = evidence
                report_.start.kind = 'forged_document'
                report_.start.evidence = evidence
                report_.start.description = "学历证书编号查无此证"
                _, data = report_.do_report({'views': [1, 2]})
        Record = pool.get('laisui.integrity.record')
        record, = Record.browse(data['res_id'])
        self.assertEqual(record.origin, evidence)
        self.assertEqual(record.state, 'reported')
        self.assertTrue(pool.get('laisui.integrity.record').pending(evidence))


del ModuleTestCase
