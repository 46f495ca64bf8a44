# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Eligibility: each kind of condition on the day before, on and after its
boundary, with the reason and the fix the applicant reads. Dates follow
民法典 (domain.md §9.1): a period from S holds k full years on the k-th
anniversary of S."""
import datetime as dt
from decimal import Decimal

from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, png_bytes)
from trytond.modules.laisui_base.tests.clamd import upload_config
from trytond.modules.laisui_integrity.tests.tools import report
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from ..condition import failures
from .tools import NOW, TODAY, evidence_type, make_applicant, make_service


class ConditionTestCase(ActivatedTestCase):
    "Service eligibility conditions"
    modules = ['laisui_services']

    def setUp(self):
        super().setUp()
        self.n = 0

    def applicant(self, **values):
        self.n += 1
        return make_applicant(self.n, **values)

    def reasons(self, service, applicant):
        with Transaction().set_context(_laisui_now=NOW):
            return failures(service.current_version, applicant)

    @with_transaction()
    def test_age_boundaries(self):
        "Aged 18 to 60: 18 on the 18th birthday, 61 the day after turning it"
        service = make_service(conditions=[
                {'kind': 'age', 'value': 18, 'max_value': 60}])
        cases = [
            (dt.date(2008, 10, 1), False),  # 17 until tomorrow
            (dt.date(2008, 9, 30), True),  # 18 today
            (dt.date(1966, 9, 30), True),  # 60 today
            (dt.date(1965, 10, 1), True),  # 61 tomorrow
            (dt.date(1965, 9, 30), False),  # 61 today
            ]
        for birth, met in cases:
            with self.subTest(birth=birth):
                result = self.reasons(service,
                    self.applicant(birth_date=birth))
                self.assertEqual(not result, met)
        result = self.reasons(service,
            self.applicant(birth_date=dt.date(2008, 10, 1)))
        reason, fix, shown = result[0]
        self.assertEqual(reason, '未满足条件：年龄 18 至 60 周岁。')
        self.assertEqual(shown, '年龄：17 周岁')

    @with_transaction()
    def test_current_permit(self):
        "A permit that ended yesterday is not current; one ending today is"
        service = make_service(conditions=[{'kind': 'permit'}])
        for end, met in [(dt.date(2026, 9, 29), False),
                (dt.date(2026, 9, 30), True), (None, True)]:
            with self.subTest(end=end):
                result = self.reasons(service,
                    self.applicant(permit_end=end))
                self.assertEqual(not result, met)
        reason, fix, shown = self.reasons(service,
            self.applicant(permit_end=dt.date(2026, 9, 29)))[0]
        self.assertEqual(reason, '未满足条件：持有效的广州市居住证。')
        self.assertIn('续签居住证', fix)
        self.assertEqual(shown, '暂无有效居住证记录')

    @with_transaction()
    def test_home_permit(self):
        "The current permit must be Yuexiu's"
        service = make_service(conditions=[{'kind': 'home_permit'}])
        self.assertEqual(self.reasons(service, self.applicant()), [])
        reason, _, shown = self.reasons(service,
            self.applicant(district='440106'))[0]
        self.assertEqual(reason, '未满足条件：现居住证在越秀区办理。')
        self.assertIn('天河区居住证，2020-03-01 至 —', shown)

    @with_transaction()
    def test_home_residence_years(self):
        """A registered rental in Yuexiu from 2021-01-01 holds 5 full years
        on 2026-09-30, not 6; living elsewhere is none"""
        pool = Pool()
        Fact = pool.get('laisui.fact')
        five = make_service('five', conditions=[
                {'kind': 'home_residence', 'value': 5}])
        six = make_service('six', conditions=[
                {'kind': 'home_residence', 'value': 6}])
        applicant = self.applicant()
        self.assertEqual(self.reasons(five, applicant), [])
        reason, fix, shown = self.reasons(six, applicant)[0]
        self.assertEqual(reason,
            '未满足条件：在越秀区有合法稳定住所，连续居住满 6 年。')
        self.assertEqual(shown, '在越秀区连续居住满 5 年')
        # The anniversary: from 2021-09-30 five years today, not from
        # 2021-10-01.
        for start, met in [(dt.date(2021, 9, 30), True),
                (dt.date(2021, 10, 1), False)]:
            with self.subTest(start=start):
                applicant = self.applicant()
                fact, = applicant.facts
                Fact.write([fact], {'date_from': start})
                self.assertEqual(not self.reasons(five, applicant), met)
        elsewhere = self.applicant(district='440106')
        _, _, shown = self.reasons(five, elsewhere)[0]
        self.assertEqual(shown, '暂无在越秀区的现住所记录')
        # A rental counts once registered (备案).
        unregistered = self.applicant()
        Fact.write(list(unregistered.facts), {'flag': False})
        _, _, shown = self.reasons(five, unregistered)[0]
        self.assertEqual(shown, '暂无在越秀区的现住所记录')

    @with_transaction()
    def test_minimum_points(self):
        "At least 60 points: 60 is enough, 59.5 is not"
        pool = Pool()
        Statement = pool.get('laisui.points.statement')
        Configuration = pool.get('laisui.points.configuration')
        # The seeded 2018 rule set is in force on this reference date.
        Configuration.write([Configuration(1)],
            {'reference_date': dt.date(2021, 6, 30)})
        service = make_service(conditions=[{'kind': 'points', 'value': 60}])
        applicant = self.applicant()
        Statement.compute([applicant])
        statement = applicant.statement
        for total, met in [(Decimal('59.5'), False), (Decimal(60), True),
                (Decimal('60.5'), True)]:
            with self.subTest(total=total):
                Statement.write([statement], {'total': total})
                self.assertEqual(not self.reasons(
                        service, type(applicant)(applicant.id)), met)
        Statement.write([statement], {'total': Decimal('59.5')})
        reason, fix, shown = self.reasons(service,
            type(applicant)(applicant.id))[0]
        self.assertEqual(reason, '未满足条件：当前积分不低于 60 分。')
        self.assertEqual(shown, '当前积分：59.5 分')

    @with_transaction()
    def test_barred_for_this_service_only(self):
        "A bar on another service does not count; one on this service does"
        pool = Pool()
        Entry = pool.get('laisui.integrity.blacklist')
        training = make_service('training', conditions=[
                {'kind': 'not_barred'}])
        other = make_service('other')
        applicant = self.applicant()
        record = report(applicant)
        values = {'record': record.id, 'applicant': applicant.id,
            'kind': 'false_material', 'state': 'active'}
        Entry.create([dict(values, start_date=dt.date(2026, 1, 1),
                    end_date=dt.date(2027, 12, 31),
                    services=[('add', [other.integrity_service.id])])])
        self.assertEqual(self.reasons(training, applicant), [])
        # The bar ends yesterday: not barred; it ends today: barred.
        for end, met in [(dt.date(2026, 9, 29), True),
                (dt.date(2026, 9, 30), False)]:
            with self.subTest(end=end):
                applicant = self.applicant()
                Entry.create([dict(values, applicant=applicant.id,
                            record=report(applicant).id,
                            start_date=dt.date(2026, 1, 1), end_date=end,
                            services=[('add',
                                        [training.integrity_service.id])])])
                self.assertEqual(not self.reasons(training, applicant), met)
        reason, fix, _ = self.reasons(training, applicant)[0]
        self.assertEqual(reason, '未满足条件：未被列入本服务的诚信黑名单。')
        self.assertIn('诚信记录', fix)

    @with_transaction()
    def test_materials(self):
        "Every required material uploaded, named when missing"
        pool = Pool()
        Evidence = pool.get('laisui.evidence')
        service = make_service(conditions=[{'kind': 'materials'}],
            materials=['photo'])
        applicant = self.applicant()
        reason, _, shown = self.reasons(service, applicant)[0]
        self.assertEqual(reason, '未满足条件：已上传全部必备材料。')
        self.assertEqual(shown, 'photo')
        with upload_config(scan='off'):
            Evidence.create([{'applicant': applicant.id,
                        'type': evidence_type('photo').id,
                        'data': png_bytes()}])
        self.assertEqual(self.reasons(service,
                type(applicant)(applicant.id)), [])

    @with_transaction()
    def test_variable_and_own_wording(self):
        "A points variable compared; the service's own reason wins"
        service = make_service(conditions=[{
                    'kind': 'variable', 'variable': 'permit_years',
                    'operator': '>=', 'value': 7,
                    'reason': '持居住证须满 7 年',
                    'evidence': '请上传历年居住证'}])
        # A permit from 2020-03-01: 6 full years since 2026-03-01.
        reason, fix, shown = self.reasons(service, self.applicant())[0]
        self.assertEqual((reason, fix), ('持居住证须满 7 年', '请上传历年居住证'))
        self.assertEqual(shown, '持广州居住证满年数：6')
