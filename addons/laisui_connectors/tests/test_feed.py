# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""External records become applicant facts; district-scope indicators
count only the part in this district (city → district transformation)."""
import datetime as dt
from decimal import Decimal

from trytond.pool import Pool
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.modules.laisui_points.tests.tools import as_deployment
from trytond.tests.test_tryton import with_transaction

from .fake_sources import FakeSource
from .tools import dataset, id_number, lease, load, to_csv

# In force of the 2018 city rule set the tests use
DATE = dt.date(2021, 6, 30)


def make_applicant(n):
    "An applicant with no declared facts"
    Applicant = Pool().get('laisui.applicant')
    applicant, = Applicant.create([{'name': f'申请人{n}',
                'id_number': id_number(n), 'phone': f'1380013{n:04d}'}])
    return applicant


class FeedTestCase(ActivatedTestCase):
    "External facts and the district part"
    modules = ['laisui_connectors']

    def setUp(self):
        super().setUp()
        self.fake = FakeSource()
        self.fake.__enter__()
        self.addCleanup(self.fake.__exit__)

    def sync(self, code='rental_lease'):
        pool = Pool()
        Source = pool.get('laisui.connector.source')
        Run = pool.get('laisui.connector.run')
        Source.write([dataset(code).source], {'base_url': self.fake.url})
        run, = Run.launch([dataset(code)], 'http')
        Run.process(run)
        run = Run(run.id)
        self.assertEqual(run.state, 'done', run.error)
        return run

    def district_indicator(self, code, formula):
        pool = Pool()
        RuleSet = pool.get('laisui.points.rule_set')
        Indicator = pool.get('laisui.points.indicator')
        rule_set = RuleSet.in_force(DATE)
        # The seeded table is approved: changed as a module update would.
        with as_deployment():
            Indicator.create([{'rule_set': rule_set.id, 'code': code,
                        'name': code, 'category': 'base',
                        'scope': 'district', 'formula': formula,
                        'sequence': 900}])

    def line(self, applicant, code):
        pool = Pool()
        Statement = pool.get('laisui.points.statement')
        statement = Statement.compute_one(applicant, date=DATE)
        line, = [l for l in statement.lines if l.indicator.code == code]
        return line

    @with_transaction()
    def test_rentals_feed_facts_and_district_part(self):
        "Two rentals, one in Yuexiu: the city counts both, the district one"
        pool = Pool()
        Fact = pool.get('laisui.fact')
        applicant = make_applicant(1)
        self.fake.put('leases', [
                lease(1, record_no='ZL-YX', start='2016-01-01',
                    end='2019-12-31'),
                lease(1, record_no='ZL-TH', address='广州市天河区天河路1号',
                    start='2020-01-01'),
                lease(2, record_no='ZL-OTHER'),
                ])
        run = self.sync()
        self.assertEqual((run.inserted, run.linked, run.facts_changed),
            (3, 2, 2))
        facts = Fact.search([('applicant', '=', applicant.id),
                ('source', '=', 'external')],
            order=[('date_from', 'ASC')])
        self.assertEqual(
            [(f.kind, f.district.name, f.flag, f.external_reference)
                for f in facts],
            [('residence_rented', '越秀区', True, 'rental_lease:ZL-YX'),
                ('residence_rented', '天河区', True, 'rental_lease:ZL-TH')])
        self.assertEqual(facts[0].street.name, '东山街道')

        self.district_indicator('home_residence', '2 * home_residence_years')
        line = self.line(applicant, 'home_residence')
        # 2016-01-01 .. 2019-12-31 in Yuexiu: the start day is not counted,
        # the fourth year would end on 2020-01-01 (domain.md, §9.1 Periods
        # and full years): 3 full years.
        self.assertEqual(line.points, Decimal('6.00'))
        self.assertEqual(line.source, 'external')
        self.assertIn('在本区合法稳定居住满年数：3', line.facts_used)
        # The record as people read it: system, dataset, its number and
        # dates; never the internal reference code matches on.
        self.assertIn('（外部记录：出租屋租赁备案系统 租赁备案 ZL-YX'
            '（2016-01-01 至 2019-12-31））', line.facts_used)
        self.assertNotIn('rental_lease:', line.facts_used)
        self.assertNotIn('ZL-TH', line.facts_used)
        # The city's residence indicator reads both external rentals.
        residence = self.line(applicant, 'residence')
        self.assertIn('出租屋租赁备案系统 租赁备案 ZL-TH（2020-01-01 至今）',
            residence.facts_used)

        # The same data again changes nothing; an ended lease rewrites
        # its fact only.
        self.assertEqual(self.sync().facts_changed, 0)
        self.fake.put('leases', [lease(1, record_no='ZL-TH',
                    address='广州市天河区天河路1号', start='2020-01-01',
                    end='2020-12-31')])
        run = self.sync()
        self.assertEqual((run.updated, run.facts_changed), (1, 1))
        fact, = Fact.search([('external_reference', '=',
                    'rental_lease:ZL-TH')])
        self.assertEqual(fact.date_to, dt.date(2020, 12, 31))

    @with_transaction()
    def test_insurance_names_and_unknown_types(self):
        "Insurance types by their Chinese names; an unknown one feeds nothing"
        pool = Pool()
        Fact = pool.get('laisui.fact')
        applicant = make_applicant(3)
        self.fake.put('insurance', [
                {'id_number': id_number(3), 'name': '张三',
                    'insurance': '城镇职工基本养老保险',
                    'insured_at': '广州市越秀区人民街道', 'start': '2019-01',
                    'end': None},
                {'id_number': id_number(3), 'name': '张三',
                    'insurance': '补充医疗',
                    'insured_at': '广州市海珠区', 'start': '2016-01',
                    'end': None},
                {'id_number': id_number(3), 'name': '张三',
                    'insurance': '企业年金', 'insured_at': '广州市越秀区',
                    'start': '2015-01', 'end': None},
                ], key='insurance')
        run = self.sync('hrss_insurance')
        self.assertEqual((run.inserted, run.facts_changed), (3, 2))
        facts = Fact.search([('applicant', '=', applicant.id),
                ('source', '=', 'external')])
        self.assertEqual(sorted((f.level, f.district.name) for f in facts),
            [('medical', '海珠区'), ('pension', '越秀区')])

        self.district_indicator('home_insurance', 'home_insurance_years')
        line = self.line(applicant, 'home_insurance')
        # Pension in Yuexiu since 2019-01-01: 2 full years by 2021-06-30;
        # the longer medical insurance is in Haizhu and does not count.
        self.assertEqual(line.points, Decimal('2.00'))
        # The insurance system gives no record number: the record reads
        # by its type, never by the digest its reference holds.
        self.assertIn('（外部记录：人社局就业和社会保险系统 社会保险参保缴费 '
            '养老保险（2019-01-01 至今））', line.facts_used)
        self.assertNotIn('hrss_insurance:', line.facts_used)

    @with_transaction()
    def test_city_permits_feed_residence_permits(self):
        "Permits the city issued become the applicant's permits"
        pool = Pool()
        Permit = pool.get('laisui.residence.permit')
        applicant = make_applicant(7)
        # Someone the city system does not list keeps their permit.
        other = make_applicant(8)
        yuexiu = Pool().get('laisui.district').search(
            [('code', '=', '440104')])[0]
        kept, = Permit.create([{'applicant': other.id, 'number': 'GD-OTHER',
                    'district': yuexiu.id, 'date_start': dt.date(2016, 1, 1),
                    'source': 'external'}])
        permit = {'id_number': id_number(7), 'name': '申请人7',
            'permit_no': 'GD440104201701', 'issued_on': '2017-03-01',
            'valid_until': None, 'address': '广州市越秀区农林街道东风东路1号'}
        self.fake.put('permits', [permit,
                # No district in the address: no permit can be made of it
                dict(permit, permit_no='GD-NOWHERE', address='某地')],
            key='permit_no')
        run = self.sync('city_permit')
        self.assertEqual((run.inserted, run.linked, run.facts_changed),
            (2, 2, 1))
        permit_, = Permit.search([('applicant', '=', applicant.id)])
        self.assertEqual((permit_.number, permit_.source,
                permit_.district.name, permit_.street.name,
                permit_.date_start),
            ('GD440104201701', 'external', '越秀区', '农林街道',
                dt.date(2017, 3, 1)))
        line = self.line(applicant, 'permit')
        # 2017-03-01 .. 2021-06-30: 4 full years, 3 points each
        self.assertEqual(line.points, Decimal('12.00'))
        self.assertEqual(line.source, 'external')
        self.assertIn('（外部记录：市来穗局积分制服务管理信息系统 居住证 '
            'GD440104201701（2017-03-01 至今））', line.facts_used)

        self.assertEqual(self.sync('city_permit').facts_changed, 0)
        self.fake.put('permits', [dict(permit, valid_until='2019-02-28')],
            key='permit_no')
        self.assertEqual(self.sync('city_permit').facts_changed, 1)
        self.assertEqual(Permit(permit_.id).date_end, dt.date(2019, 2, 28))
        self.assertEqual(Permit.search([('applicant', '=', other.id)]),
            [kept])

    @with_transaction()
    def test_file_feeds_owned_residence(self):
        "A property file loaded by staff feeds owned residences"
        pool = Pool()
        Fact = pool.get('laisui.fact')
        applicant = make_applicant(5)
        run = load('housing_property', to_csv([{
                        '身份证号码': id_number(5), '姓名': '业主',
                        '不动产权证号': '粤(2019)广州市不动产权第0000005号',
                        '坐落': '越秀区东山街道署前路1号',
                        '登记日期': '2019年5月6日'}]))
        self.assertEqual((run.state, run.facts_changed), ('done', 1))
        fact, = Fact.search([('applicant', '=', applicant.id),
                ('kind', '=', 'residence_owned')])
        self.assertEqual((fact.source, fact.date_from, fact.street.name),
            ('external', dt.date(2019, 5, 6), '东山街道'))
