# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The current points: one computation, shown with its date (domain.md
§9.5). The admission score, as of a round's cut-off, is laisui_admission's
(its test_portal.py shows both on every page)."""
import datetime as dt
import re
from decimal import Decimal

from stdnum.cn import ric

from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, PortalTestMixin)
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase, with_transaction
from trytond.transaction import Transaction

# Born on 20 April 1990: 30 years old until 19 April 2021, 31 from the 20th.
_BASE = '44010419900420000'
ID_NUMBER = _BASE + ric.calc_check_digit(_BASE + '0')
# The Yuexiu 2021 round's points cut-off (domain.md §4.2) and "today".
CUTOFF = dt.date(2021, 3, 31)
TODAY = dt.date(2021, 5, 10)
# By hand from the 2018 table (domain.md §2.2), per line, at CUTOFF | TODAY:
#   居住证 from 2014-04-15, 3 a full year:      6 years 18 | 7 years 21
#   registered rental from 2016-04-15, 2/year:  4 years  8 | 5 years 10
#     (合法稳定住所, the better of owned and rented: no home owned)
#   pension from 2016-04-15, 1/year:            4 years  4 | 5 years  5
#   本科 50; age 30 → 30 | 31 → 20
#   invention patent, 2nd of 2 inventors: 20/(2+1) = 6.67
#   one bad credit record: -5, a deduction (not for admission, §4.1)
CURRENT = Decimal('107.67')     # 21+10+5+50+20+6.67-5, at TODAY
ADMISSION = Decimal('116.67')   # 18+8+4+50+30+6.67, at CUTOFF
# The figures a wrong date or a wrong rule set would give: never shown.
WRONG = [
    Decimal('111.67'),  # CUTOFF with the deduction
    Decimal('112.67'),  # TODAY without the deduction
    ]
CURRENT_LABEL = '当前积分（截至2021-05-10）'


def add_facts(applicant):
    "The facts above, in Yuexiu"
    pool = Pool()
    Applicant = pool.get('laisui.applicant')
    District = pool.get('laisui.district')
    yuexiu, = District.search([('code', '=', '440104')])
    start = dt.date(2016, 4, 15)
    Applicant.write([applicant], {
            'permits': [('create', [{'number': 'GD4401042014',
                            'district': yuexiu.id,
                            'date_start': dt.date(2014, 4, 15)}])],
            'facts': [('create', [
                        {'kind': 'residence_rented', 'flag': True,
                            'district': yuexiu.id, 'date_from': start},
                        {'kind': 'insurance', 'level': 'pension',
                            'district': yuexiu.id, 'date_from': start},
                        {'kind': 'education', 'level': 'bachelor',
                            'date_from': dt.date(2012, 7, 1)},
                        {'kind': 'patent_invention', 'quantity': 2,
                            'flag': False, 'date_from': dt.date(2018, 6, 1)},
                        {'kind': 'credit', 'date_from': dt.date(2020, 1, 1)},
                        ])],
            })


def set_today(date=TODAY):
    "Statements computed as of date (the configured reference date)"
    Configuration = Pool().get('laisui.points.configuration')
    Configuration.write([Configuration(1)], {'reference_date': date})


def make_person(phone='13700137090'):
    pool = Pool()
    Applicant = pool.get('laisui.applicant')
    applicant, = Applicant.create([{'name': '梁晓', 'id_number': ID_NUMBER,
                'phone': phone}])
    add_facts(applicant)
    return applicant


class ScoreLabelsTestCase(ActivatedTestCase):
    "The current points, by date and labelled"
    modules = ['laisui_points']

    @with_transaction()
    def test_current_points_by_date(self):
        "Each full year and the birthday change the total on their day"
        Statement = Pool().get('laisui.points.statement')
        applicant = make_person()
        for date, total in [
                (CUTOFF, '111.67'),
                # The 居住证's 7th year, the rental's 5th, the pension's 5th
                (dt.date(2021, 4, 14), '111.67'),
                (dt.date(2021, 4, 15), '117.67'),
                # 31 years old: 20 points for age instead of 30
                (dt.date(2021, 4, 19), '117.67'),
                (dt.date(2021, 4, 20), '107.67'),
                (TODAY, '107.67'),
                ]:
            with self.subTest(date=date):
                Statement.compute([applicant], date)
                statement, = Statement.search(
                    [('applicant', '=', applicant.id)])
                self.assertEqual(
                    (statement.reference_date, statement.total),
                    (date, Decimal(total)))
                reference = Statement.compute_one(applicant, date)
                self.assertEqual(reference.total, Decimal(total))

    @with_transaction()
    def test_current_points_labelled(self):
        "One figure, labelled with the reference date it is as of"
        pool = Pool()
        Statement = pool.get('laisui.points.statement')
        Applicant = pool.get('laisui.applicant')
        set_today()
        applicant = make_person()
        self.assertEqual(Statement.labelled_scores(applicant),
            [(CURRENT_LABEL, CURRENT)])
        self.assertEqual(Applicant(applicant.id).points, CURRENT)
        lines = {l.indicator.code: l.points
            for l in applicant.statement.lines if l.points}
        self.assertEqual(lines, {'permit': 21, 'residence': 10,
                'insurance': 5, 'education': 50, 'age': 20,
                'patent_invention': Decimal('6.67'), 'credit': -5})

    @with_transaction()
    def test_no_statement_no_figure(self):
        "Without a rule set in force, no figure rather than a stale one"
        Statement = Pool().get('laisui.points.statement')
        set_today(dt.date(2030, 1, 1))
        applicant = make_person()
        self.assertEqual(Statement.labelled_scores(applicant), [])


def scores_shown(page):
    "[(label, points)] of the page's block of scores"
    block = re.search(r'id="points-scores">(.*?)</dl>', page, re.S)
    if not block:
        return []
    return re.findall(r'<dt>(.*?)</dt><dd class="total">(.*?)</dd>',
        block.group(1))


class ScoreLabelsPortalTestCase(PortalTestMixin, RouteTestCase):
    "The points page shows the current points with their date, only"
    module = 'laisui_points'
    language = 'zh_CN'

    def test_points_page(self):
        client = self.client()
        phone = '13700137091'
        self.assertEqual(self.register(
                client, phone, ID_NUMBER, name="梁晓").status_code, 302)
        with Transaction().start(self.db_name, 0) as transaction:
            Applicant = Pool().get('laisui.applicant')
            set_today()
            applicant, = Applicant.search([('phone', '=', phone)])
            add_facts(applicant)
            transaction.commit()
        page = client.get(self.url('/points')).text
        self.assertEqual(scores_shown(page), [(CURRENT_LABEL, str(CURRENT))])
        self.assertIn('计分基准日</dt><dd>2021-05-10', page)
        self.assertIn('当前积分得分指标（截至2021-05-10）', page)
        for text in ['积分总分', '入学可用积分', str(ADMISSION)] + [
                str(w) for w in WRONG]:
            self.assertNotIn(text, page)


del RouteTestCase
