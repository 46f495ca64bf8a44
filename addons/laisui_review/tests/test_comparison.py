# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The automatic comparison of each indicator against the data the
connectors load, the evidence as reviewers read it, and the statistics
per indicator.

The 2018 city table on the reference date 2021-06-30 (tools): a period
gives a full year on each anniversary of its start (domain.md §9.1)."""
import datetime as dt
import re
from decimal import Decimal

from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, acting, staff)
from trytond.modules.laisui_connectors.tests.fake_sources import FakeSource
from trytond.modules.laisui_connectors.tests.tools import (
    dataset, id_number, lease, load, to_csv)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from trytond.modules.laisui_points.tests.tools import as_deployment

from .tools import (
    NOW, as_root, department, department_reviewer, submit,
    use_reference_date)

# An internal reference (`<dataset code>:<key>`) in a text.
RAW_KEY = re.compile(r'[a-z_]+:[0-9A-Za-z]')


def district(code):
    District = Pool().get('laisui.district')
    district, = District.search([('code', '=', code)])
    return district


class ComparisonTestCase(ActivatedTestCase):
    "Automatic comparison per indicator"
    modules = ['laisui_review']

    def setUp(self):
        super().setUp()
        self.fake = FakeSource()
        self.fake.__enter__()
        self.addCleanup(self.fake.__exit__)

    def applicant(self, n, facts=()):
        """Applicant n with a declared permit since 2013 in Yuexiu and the
        declared facts"""
        Applicant = Pool().get('laisui.applicant')
        applicant, = Applicant.create([{
                    'name': f'李明{n}', 'id_number': id_number(n),
                    'phone': f'1390013{n:04d}',
                    'permits': [('create', [{
                                    'number': f'GD44010499{n:04d}',
                                    'district': district('440104').id,
                                    'date_start': dt.date(2013, 3, 1),
                                    }])],
                    'facts': [('create', [
                                dict(f, source='declared') for f in facts])],
                    }])
        return applicant

    def sync(self, code, endpoint, records, key='record_no'):
        "The HTTP source of dataset `code` lists the records; synchronise"
        pool = Pool()
        Source = pool.get('laisui.connector.source')
        Run = pool.get('laisui.connector.run')
        self.fake.put(endpoint, records, key=key)
        Source.write([dataset(code).source], {'base_url': self.fake.url})
        run, = Run.launch([dataset(code)], 'http')
        Run.process(run)
        self.assertEqual(Run(run.id).state, 'done', Run(run.id).error)

    def upload(self, code, rows):
        "The department sends the file of dataset `code`"
        run = load(code, to_csv(rows))
        self.assertEqual(run.state, 'done', run.error)
        self.assertFalse(run.rejects, [r.reason for r in run.rejects])

    def compared(self, applicant):
        """The case of a points request of the applicant once the
        comparison ran"""
        Case = Pool().get('laisui.review.case')
        with Transaction().set_context(_laisui_now=NOW):
            use_reference_date()
            case = submit(applicant)
            with as_root():
                for _ in range(3):
                    Case.decide([Case(case.id)], 'pass')
        case = Case(case.id)
        self.assertIn('comparison', [s.stage.code for s in case.steps])
        return case

    def line(self, case, code):
        "The case's line of the indicator, or None"
        Line = Pool().get('laisui.review.line')
        lines = Line.search([('case', '=', case.id),
                ('indicator.code', '=', code)])
        return lines[0] if lines else None

    def assertReadable(self, text):
        "No internal reference nor a full ID number in a text people read"
        self.assertIsNone(RAW_KEY.search(text or ''), text)
        self.assertIsNone(re.search(r'\d{17}[\dX]', text or ''), text)

    # Education (教育局学历学位信息) ----------------------------------
    def diploma(self, n, level, graduated, number=None):
        return {'身份证号码': id_number(n), '姓名': f'李明{n}',
            '证书编号': number or f'1055{n:014d}', '学历层次': level,
            '毕业日期': graduated, '毕业院校': '华南师范大学'}

    @with_transaction()
    def test_education(self):
        "A diploma in the register confirms, contradicts or is missing"
        bachelor = {'kind': 'education', 'level': 'bachelor',
            'date_from': dt.date(2011, 7, 1)}
        confirmed = self.applicant(1, [bachelor])
        contradicted = self.applicant(2, [bachelor])
        missing = self.applicant(3, [bachelor])
        self.upload('education_diploma', [
                self.diploma(1, '大学本科', '2011-07-01', '105581201105000123'),
                # The register knows a junior college diploma only.
                self.diploma(2, '大学专科', '2011-07-01'),
                ])

        line = self.line(self.compared(confirmed), 'education')
        self.assertEqual((line.comparison, line.state, line.points),
            ('matched', 'confirmed', Decimal(50)))
        self.assertEqual(line.evidence, '最高学历：本科（外部记录：'
            '教育局学历学位信息 学历证书 105581201105000123（2011-07-01））')

        line = self.line(self.compared(contradicted), 'education')
        # 本科 50 declared, 大专 35 in the register.
        self.assertEqual(
            (line.comparison, line.state, line.declared_points,
                line.verified_points),
            ('mismatched', 'pending', Decimal(50), Decimal(35)))
        self.assertIn('最高学历：大专（含高职）', line.evidence)

        line = self.line(self.compared(missing), 'education')
        self.assertEqual((line.comparison, line.state),
            ('no_data', 'pending'))
        self.assertEqual(line.evidence, '最高学历：无')

    @with_transaction()
    def test_education_graduation_date(self):
        "A diploma counts from its day: the day before, on, the day after"
        bachelor = {'kind': 'education', 'level': 'bachelor',
            'date_from': dt.date(2011, 7, 1)}
        applicants = [self.applicant(n, [bachelor]) for n in (4, 5, 6)]
        self.upload('education_diploma', [
                self.diploma(4, '本科', '2021-06-29'),
                self.diploma(5, '本科', '2021-06-30'),
                # After the reference date: not yet held.
                self.diploma(6, '本科', '2021-07-01'),
                ])
        self.assertEqual(
            [self.line(self.compared(a), 'education').comparison
                for a in applicants],
            ['matched', 'matched', 'no_data'])

    # Moved out of the central districts (由中心城区迁出) --------------
    def property_row(self, n, registered, number=None):
        return {'身份证号码': id_number(n), '姓名': f'李明{n}',
            '不动产权证号': number or f'粤(2017)广州市不动产权第{n:07d}号',
            '坐落': '广州市白云区同和街道云景路1号',
            '登记日期': registered}

    def moved_out_facts(self, owned_from=dt.date(2017, 6, 30)):
        """Rented in Yuexiu (a central district) until 2016, then owns a
        home in Baiyun"""
        return [
            {'kind': 'residence_rented', 'flag': True,
                'district': district('440104').id,
                'date_from': dt.date(2012, 1, 1),
                'date_to': dt.date(2016, 12, 31)},
            {'kind': 'residence_owned', 'district': district('440111').id,
                'date_from': owned_from},
            ]

    def rental_left(self, *ns):
        "The rental system's record of the Yuexiu lease of each applicant"
        self.sync('rental_lease', 'leases', [
                lease(n, name=f'李明{n}', record_no=f'ZL-YX-{n}',
                    start='2012-01-01', end='2016-12-31') for n in ns])

    @with_transaction()
    def test_moved_out(self):
        "Property and rental records confirm, contradict or are missing"
        confirmed = self.applicant(11, self.moved_out_facts())
        contradicted = self.applicant(12, self.moved_out_facts())
        missing = self.applicant(13, self.moved_out_facts())
        self.rental_left(11, 12)
        self.upload('housing_property', [
                self.property_row(11, '2017/6/30', '粤(2017)广州市不动产权第0123456号'),
                # Registered two years later than declared.
                self.property_row(12, '2019/6/30'),
                ])

        line = self.line(self.compared(confirmed), 'moved_out')
        # 2017-06-30 .. 2021-06-30: 4 full years, 2 points each.
        self.assertEqual((line.comparison, line.state, line.points),
            ('matched', 'confirmed', Decimal(8)))
        self.assertEqual(line.evidence, '迁出中心城区后居住满年数：4（外部记录：'
            '住建局不动产登记 不动产登记 粤(2017)广州市不动产权第0123456号'
            '（2017-06-30 至今）、'
            '出租屋租赁备案系统 租赁备案 ZL-YX-11（2012-01-01 至 2016-12-31））')

        line = self.line(self.compared(contradicted), 'moved_out')
        self.assertEqual(
            (line.comparison, line.declared_points, line.verified_points),
            ('mismatched', Decimal(8), Decimal(4)))

        line = self.line(self.compared(missing), 'moved_out')
        self.assertEqual((line.comparison, line.state),
            ('no_data', 'pending'))

    @with_transaction()
    def test_moved_out_registration_date(self):
        """The fourth year is full on its anniversary: registered the day
        before or on the declared day confirms, the day after does not"""
        applicants = [self.applicant(n, self.moved_out_facts())
            for n in (14, 15, 16)]
        self.rental_left(14, 15, 16)
        self.upload('housing_property', [
                self.property_row(14, '2017/6/29'),
                self.property_row(15, '2017/6/30'),
                self.property_row(16, '2017/7/1'),
                ])
        lines = [self.line(self.compared(a), 'moved_out')
            for a in applicants]
        self.assertEqual([(l.comparison, l.verified_points) for l in lines],
            [('matched', Decimal(8)), ('matched', Decimal(8)),
                ('mismatched', Decimal(6))])

    # Volunteer service (i志愿) -----------------------------------------
    def service(self, n, day, hours, number):
        return {'身份证号码': id_number(n), '姓名': f'李明{n}',
            '服务记录编号': number, '服务日期': day,
            '服务时长（小时）': hours, '活动名称': '社区防疫志愿服务'}

    @with_transaction()
    def test_volunteer(self):
        "Service hours in the volunteer system confirm, contradict or miss"
        declared = {'kind': 'volunteer', 'quantity': Decimal(50),
            'date_from': dt.date(2020, 5, 1), 'date_to': dt.date(2020, 5, 1)}
        confirmed = self.applicant(21, [declared])
        contradicted = self.applicant(22, [declared])
        missing = self.applicant(23, [declared])
        self.upload('volunteer_hours', [
                self.service(21, '2020-05-01', '50', 'ZY-21'),
                # 20 hours recorded where 50 were declared.
                self.service(22, '2020-05-01', '20', 'ZY-22'),
                ])

        line = self.line(self.compared(confirmed), 'volunteer')
        self.assertEqual((line.comparison, line.state, line.points),
            ('matched', 'confirmed', Decimal(2)))
        self.assertEqual(line.evidence, '每年志愿服务时长单位数：1（外部记录：'
            '志愿服务信息系统（i志愿） 志愿服务时长 ZY-21（2020-05-01））')

        line = self.line(self.compared(contradicted), 'volunteer')
        self.assertEqual(
            (line.comparison, line.declared_points, line.verified_points),
            ('mismatched', Decimal(2), Decimal(0)))

        line = self.line(self.compared(missing), 'volunteer')
        self.assertEqual(line.comparison, 'no_data')

    @with_transaction()
    def test_volunteer_window(self):
        """近5年 up to the reference date: a service on the day five years
        back is out of the window, the day after it in; one on the
        reference date counts, the day after it not yet (no points: no
        line)"""
        applicants = [self.applicant(n) for n in (24, 25, 26, 27)]
        self.upload('volunteer_hours', [
                self.service(24, '2016-06-30', '50', 'ZY-24'),
                self.service(25, '2016-07-01', '50', 'ZY-25'),
                self.service(26, '2021-06-30', '50', 'ZY-26'),
                self.service(27, '2021-07-01', '50', 'ZY-27'),
                ])
        lines = [self.line(self.compared(a), 'volunteer')
            for a in applicants]
        self.assertEqual(
            [(l.comparison, l.points) if l else None for l in lines],
            [None, ('matched', Decimal(2)), ('matched', Decimal(2)), None])

    # Employment and business registration ------------------------------
    # No indicator of the 2018 city table reads them (they are a condition
    # of admission type B); any indicator that does is compared on them
    # by the same external method.
    def employment_indicator(self):
        pool = Pool()
        RuleSet = pool.get('laisui.points.rule_set')
        Indicator = pool.get('laisui.points.indicator')
        Rule = pool.get('laisui.review.comparison.rule')
        rule_set = RuleSet.in_force(dt.date(2021, 6, 30))
        # The seeded table is approved: changed as a module update would.
        with as_deployment():
            indicator, = Indicator.create([{'rule_set': rule_set.id,
                        'code': 'home_job', 'name': '在本区就业或经营',
                        'category': 'base', 'scope': 'district',
                        'formula': '10 * home_employed', 'sequence': 900,
                        'department': department('RS').id}])
            Rule.create([{'indicator': indicator.id, 'method': 'external'}])

    @with_transaction()
    def test_employment_and_business(self):
        """A registration current on the reference date confirms: ended
        the day before, it contradicts; ended on it, it still confirms"""
        self.employment_indicator()
        declared = {'kind': 'employment', 'district': district('440104').id,
            'date_from': dt.date(2019, 1, 1)}
        applicants = [self.applicant(n, [declared])
            for n in (51, 52, 53, 54, 55)]

        def registration(n, end):
            return {'id_number': id_number(n), 'name': f'李明{n}',
                'registration_no': f'JY-{n}', 'employer': '广州某公司',
                'workplace': '广州市越秀区北京街道北京路1号',
                'start': '2019-01-01', 'end': end}
        self.sync('hrss_employment', 'employments', [
                registration(51, None),
                registration(52, '2021-06-29'),
                registration(53, '2021-06-30'),
                ], key='registration_no')
        # Applicant 55 runs a shop of their own.
        self.upload('market_business', [{
                    '经营者身份证号码': id_number(55), '经营者姓名': '李明55',
                    '统一社会信用代码': '92440104MA59ABCD1X',
                    '名称': '越秀区李明55便利店',
                    '住所': '广州市越秀区北京街道惠福东路2号',
                    '成立日期': '2019-01-01', '注销日期': ''}])
        lines = [self.line(self.compared(a), 'home_job') for a in applicants]
        self.assertEqual(
            [(l.comparison, l.verified_points) for l in lines],
            [('matched', Decimal(10)), ('mismatched', Decimal(0)),
                ('matched', Decimal(10)), ('no_data', Decimal(0)),
                ('matched', Decimal(10))])
        self.assertEqual(lines[0].evidence, '在本区现有就业或经营登记：1'
            '（外部记录：人社局就业和社会保险系统 就业登记 JY-51'
            '（2019-01-01 至今））')
        self.assertIn('人社局就业和社会保险系统 就业登记 JY-52'
            '（2019-01-01 至 2021-06-29）', lines[1].evidence)
        self.assertIn('市场监管局商事登记 商事主体登记 92440104MA59ABCD1X'
            '（2019-01-01 至今）', lines[4].evidence)

    # Evidence of the other datasets and the statistics -----------------
    @with_transaction()
    def test_evidence_readable(self):
        """Permit, lease, insurance: the system, the record's number (or
        its type when it has none) and the dates, never an internal key,
        and ID numbers masked"""
        applicant = self.applicant(31, [
                {'kind': 'residence_rented', 'flag': True,
                    'district': district('440104').id,
                    'date_from': dt.date(2015, 3, 1)},
                {'kind': 'insurance', 'level': 'pension',
                    'date_from': dt.date(2018, 1, 1)},
                ])
        self.sync('rental_lease', 'leases', [lease(31, name='李明31',
                    record_no='ZL-2015-0031', start='2015-03-01')])
        self.sync('hrss_insurance', 'insurance', [{
                    'id_number': id_number(31), 'name': '李明31',
                    'insurance': '城镇职工基本养老保险',
                    'insured_at': '广州市越秀区人民街道',
                    'start': '2018-01-01', 'end': '2020-11-30'}],
            key='insurance')
        # The city issued the permit under the holder's ID number.
        self.sync('city_permit', 'permits', [{
                    'id_number': id_number(31), 'name': '李明31',
                    'permit_no': id_number(31), 'issued_on': '2013-03-01',
                    'valid_until': None,
                    'address': '广州市越秀区农林街道东风东路1号'}],
            key='permit_no')
        case = self.compared(Pool().get('laisui.applicant')(applicant.id))
        masked = id_number(31)[:6] + '********' + id_number(31)[-4:]
        expected = {
            'residence': '出租屋租赁备案系统 租赁备案 ZL-2015-0031'
            '（2015-03-01 至今）',
            'insurance': '人社局就业和社会保险系统 社会保险参保缴费 养老保险'
            '（2018-01-01 至 2020-11-30）',
            'permit': f'市来穗局积分制服务管理信息系统 居住证 {masked}'
            '（2013-03-01 至今）',
            }
        for code, record in expected.items():
            line = self.line(case, code)
            self.assertIn(record, line.evidence, code)
            self.assertReadable(line.evidence)
            # What the applicant declared, as the line shows it, too.
            self.assertReadable(line.facts)

    @with_transaction()
    def test_statistics(self):
        "Confirmed, mismatched and without data per indicator, all rows"
        pool = Pool()
        Statistic = pool.get('laisui.review.statistic.comparison')
        bachelor = {'kind': 'education', 'level': 'bachelor',
            'date_from': dt.date(2011, 7, 1)}
        applicants = [self.applicant(n, [bachelor]) for n in (41, 42, 43)]
        self.upload('education_diploma', [
                self.diploma(41, '本科', '2011-07-01'),
                self.diploma(42, '专科', '2011-07-01'),
                ])
        for applicant in applicants:
            self.compared(applicant)

        reviewer = staff('reviewer01', 'group_district_reviewer')
        with acting(reviewer):
            rows = {s.indicator.code: s for s in Statistic.search([])}
        education = rows['education']
        self.assertEqual(
            (education.lines, education.matched, education.mismatched,
                education.no_data, education.not_compared),
            (3, 1, 1, 1, 0))
        self.assertEqual((education.match_rate, education.mismatch_rate),
            (33.3, 33.3))
        self.assertEqual(education.department.code, 'JY')
        # The declared permits: no city record, no data for any of them.
        permit = rows['permit']
        self.assertEqual((permit.lines, permit.no_data, permit.match_rate),
            (3, 3, 0.0))
        # Over the cases submitted in a period of Guangzhou days.
        today = dt.date.today()
        for context, count in [
                ({'date_from': today - dt.timedelta(days=1)}, 3),
                ({'date_to': today - dt.timedelta(days=2)}, None)]:
            with acting(reviewer), Transaction().set_context(context):
                rows = {s.indicator.code: s.lines
                    for s in Statistic.search([])}
            self.assertEqual(rows.get('education'), count, context)
        # A department reviewer reads their own indicators only.
        with acting(department_reviewer('edu01', 'JY')):
            self.assertEqual({s.department.code
                    for s in Statistic.search([])}, {'JY'})
