# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Yuexiu application types A and B as their seeded conditions decide them
at the round's cut-off (domain.md, §4.2 Yuexiu, §9.1 and §9.4). Each test
changes one part of an applicant who meets both types; the reasons
expected are the zh_CN texts the applicant reads, written by hand."""
import datetime as dt

from trytond.modules.laisui_admission.tests.tools import (
    CUTOFF, NOW, child_of, draft_application, make_round, make_schools,
    verify_points)
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.modules.laisui_connectors.tests.tools import id_number
from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

D = dt.date
YUEXIU, TIANHE = '440104', '440106'

A_PERMIT = "截止日没有在越秀区办理的有效居住证，或连续持有不满1年"
A_RESIDENCE = ("截止日在越秀区没有合法稳定住所，或连续居住不满1年"
    "（租赁须已在越秀区备案）")
B_PERMIT = "居住证未在广州市连续持有满1年，或截止日居住证已失效"
B_EMPLOYMENT = "未在越秀区办理就业登记或商事登记，或截止日该登记已失效"
B_INSURANCE = ("未在越秀区缴纳社会保险满1年"
    "（须同一险种连续缴纳满1年且截止日仍在缴）")


def permit(district, start, end=None):
    return {'district': district, 'date_start': start, 'date_end': end}


def fact(kind, district, start, end=None, **values):
    return dict(values, kind=kind, district=district, date_from=start,
        date_to=end)


def rental(district, start, end=None, registered=True):
    return fact('residence_rented', district, start, end, flag=registered)


def pension(district, start, end=None):
    return fact('insurance', district, start, end, level='pension')


def medical(district, start, end=None):
    return fact('insurance', district, start, end, level='medical')


# Meets both types on 2021-03-31: a Yuexiu permit, a registered Yuexiu
# rental, a Yuexiu job and pension insurance paid in Yuexiu, for years.
PERMITS = [permit(YUEXIU, D(2013, 3, 1))]
RESIDENCE = [rental(YUEXIU, D(2014, 1, 1))]
EMPLOYMENT = [fact('employment', YUEXIU, D(2015, 1, 1))]
INSURANCE = [pension(YUEXIU, D(2015, 1, 1))]


class EligibilityTestCase(ActivatedTestCase):
    "Yuexiu application types A and B"
    modules = ['laisui_admission']

    def setUp(self):
        super().setUp()
        self.count = 0

    def failures(self, permits=PERMITS, residence=RESIDENCE,
            employment=EMPLOYMENT, insurance=INSURANCE, date=CUTOFF):
        """{type code: [reasons of the conditions not met]} for an
        applicant with these permits and facts, evaluated on date"""
        pool = Pool()
        Applicant = pool.get('laisui.applicant')
        District = pool.get('laisui.district')
        RuleSet = pool.get('laisui.points.rule_set')
        Statement = pool.get('laisui.points.statement')
        Type = pool.get('laisui.admission.type')
        district = {d.code: d.id for d in District.search([])}
        self.count += 1
        number = self.count

        def located(values):
            return dict(values, district=district[values['district']])
        applicant, = Applicant.create([{
                    'name': f'陈小燕{number}',
                    'id_number': id_number(number),
                    'phone': f'1380013{number:04d}',
                    'permits': [('create', [
                                dict(located(p), number=f'GD{number}{i}')
                                for i, p in enumerate(permits)])],
                    'facts': [('create', [located(f) for f in
                                residence + employment + insurance])],
                    }])
        result = {}
        for type_ in Type.search([('code', 'in', ['A', 'B'])]):
            chunk, = Statement.evaluate([applicant.id],
                RuleSet.in_force(CUTOFF), date, check=type_.failures)
            *_, failed = chunk[applicant.id]
            result[type_.code] = [reason for reason, _, _ in failed]
        return result

    def assert_failures(self, a, b, **changes):
        self.assertEqual(self.failures(**changes), {'A': a, 'B': b})

    @with_transaction()
    def test_both_types_met(self):
        "The reference applicant meets every condition of both types"
        self.assert_failures([], [])

    # Residence permit --------------------------------------------------
    @with_transaction()
    def test_permit_first_anniversary(self):
        "A Yuexiu permit is full on its first anniversary, not the day before"
        for start, failed in [
                (D(2020, 4, 1), True),   # the cut-off is the day before
                (D(2020, 3, 31), False),  # the first anniversary
                (D(2020, 3, 30), False),  # the day after
                ]:
            with self.subTest(start=start):
                self.assert_failures(
                    [A_PERMIT] if failed else [],
                    [B_PERMIT] if failed else [],
                    permits=[permit(YUEXIU, start)])

    @with_transaction()
    def test_permit_from_29_february(self):
        "From 2020-02-29 the first year is full on 2021-02-28"
        permits = [permit(YUEXIU, D(2020, 2, 29))]
        self.assert_failures([A_PERMIT], [B_PERMIT],
            permits=permits, date=D(2021, 2, 27))
        self.assert_failures([], [], permits=permits, date=D(2021, 2, 28))

    @with_transaction()
    def test_permit_ended_before_or_on_cutoff(self):
        "A permit that ended the day before the cut-off is not current"
        self.assert_failures([A_PERMIT], [B_PERMIT],
            permits=[permit(YUEXIU, D(2013, 3, 1), D(2021, 3, 30))])
        self.assert_failures([], [],
            permits=[permit(YUEXIU, D(2013, 3, 1), D(2021, 3, 31))])

    @with_transaction()
    def test_permit_moved_to_tianhe(self):
        "Type A needs the current permit in Yuexiu; type B any in Guangzhou"
        permits = [
            permit(YUEXIU, D(2013, 3, 1), D(2020, 12, 31)),
            permit(TIANHE, D(2021, 1, 1)),
            ]
        self.assert_failures([A_PERMIT], [], permits=permits)
        # Back in Yuexiu for less than a year after the Tianhe permit.
        permits = [
            permit(TIANHE, D(2013, 3, 1), D(2020, 5, 31)),
            permit(YUEXIU, D(2020, 6, 1)),
            ]
        self.assert_failures([A_PERMIT], [], permits=permits)

    @with_transaction()
    def test_permit_gap_since_2016(self):
        "Since 2016 the years add up over a gap: 7 + 9 months, 4 + 6 not"
        self.assert_failures([], [], permits=[
                permit(YUEXIU, D(2019, 6, 1), D(2020, 1, 31)),
                permit(YUEXIU, D(2020, 6, 1))])
        self.assert_failures([A_PERMIT], [B_PERMIT], permits=[
                permit(YUEXIU, D(2020, 1, 1), D(2020, 5, 31)),
                permit(YUEXIU, D(2020, 9, 1))])

    @with_transaction()
    def test_permit_renewal_before_2016(self):
        "Before 2016 a renewal 30 days after the expiry continues, 31 not"
        # On a 2015-03-15 cut-off, held 2014-03-01 to 2015-03-15 when
        # continued; one month from the 31-day renewal.
        date = D(2015, 3, 15)
        residence = [rental(YUEXIU, D(2013, 1, 1))]
        employment = [fact('employment', YUEXIU, D(2013, 1, 1))]
        insurance = [pension(YUEXIU, D(2013, 1, 1))]
        for renewal, failed in [(D(2015, 1, 30), False),
                (D(2015, 1, 31), True)]:
            with self.subTest(renewal=renewal):
                self.assert_failures(
                    [A_PERMIT] if failed else [],
                    [B_PERMIT] if failed else [],
                    permits=[permit(YUEXIU, D(2014, 3, 1), D(2014, 12, 31)),
                        permit(YUEXIU, renewal)],
                    residence=residence, employment=employment,
                    insurance=insurance, date=date)

    # Legal stable residence (type A) -----------------------------------
    @with_transaction()
    def test_residence_first_anniversary(self):
        "A Yuexiu rental is a year on its first anniversary"
        for start, failed in [(D(2020, 4, 1), True),
                (D(2020, 3, 31), False), (D(2020, 3, 30), False)]:
            with self.subTest(start=start):
                self.assert_failures([A_RESIDENCE] if failed else [], [],
                    residence=[rental(YUEXIU, start)])

    @with_transaction()
    def test_residence_moved_to_tianhe(self):
        "Years in an earlier Yuexiu home do not count once moved away"
        self.assert_failures([A_RESIDENCE], [], residence=[
                rental(YUEXIU, D(2014, 1, 1), D(2020, 12, 31)),
                rental(TIANHE, D(2021, 1, 1))])
        # A Yuexiu home sold the day before the cut-off.
        self.assert_failures([A_RESIDENCE], [], residence=[
                fact('residence_owned', YUEXIU, D(2014, 1, 1),
                    D(2021, 3, 30))])

    @with_transaction()
    def test_residence_moved_to_tianhe_with_permit(self):
        "Now living and holding the permit in Tianhe: type A refused"
        self.assert_failures([A_PERMIT, A_RESIDENCE], [],
            permits=[permit(YUEXIU, D(2013, 3, 1), D(2020, 12, 31)),
                permit(TIANHE, D(2021, 1, 1))],
            residence=[rental(YUEXIU, D(2014, 1, 1), D(2020, 12, 31)),
                rental(TIANHE, D(2021, 1, 1))])

    @with_transaction()
    def test_residence_one_day_gap(self):
        "A day without a home in Yuexiu restarts the count"
        self.assert_failures([A_RESIDENCE], [], residence=[
                rental(YUEXIU, D(2019, 1, 1), D(2020, 6, 30)),
                rental(YUEXIU, D(2020, 7, 2))])
        # From one Yuexiu home to the next without a day between.
        self.assert_failures([], [], residence=[
                rental(YUEXIU, D(2019, 1, 1), D(2020, 6, 30)),
                fact('residence_owned', YUEXIU, D(2020, 7, 1))])

    @with_transaction()
    def test_residence_rental_not_registered(self):
        "A rental not registered (备案) is no legal stable residence"
        self.assert_failures([A_RESIDENCE], [], residence=[
                rental(YUEXIU, D(2014, 1, 1), registered=False)])

    # Job and insurance (type B) ----------------------------------------
    @with_transaction()
    def test_employment_current_in_yuexiu(self):
        "The job registered in Yuexiu must be current at the cut-off"
        self.assert_failures([], [B_EMPLOYMENT], employment=[
                fact('employment', YUEXIU, D(2015, 1, 1), D(2021, 3, 30))])
        self.assert_failures([], [], employment=[
                fact('employment', YUEXIU, D(2015, 1, 1), D(2021, 3, 31))])
        self.assert_failures([], [B_EMPLOYMENT], employment=[
                fact('employment', TIANHE, D(2015, 1, 1))])

    @with_transaction()
    def test_insurance_first_anniversary(self):
        "One type paid in Yuexiu a full year up to the cut-off"
        for start, failed in [(D(2020, 4, 1), True),
                (D(2020, 3, 31), False), (D(2020, 3, 30), False)]:
            with self.subTest(start=start):
                self.assert_failures([], [B_INSURANCE] if failed else [],
                    insurance=[pension(YUEXIU, start)])

    @with_transaction()
    def test_insurance_still_paid_on_cutoff(self):
        "Stopped the day before the cut-off: refused; on it: still paid"
        self.assert_failures([], [B_INSURANCE], insurance=[
                pension(YUEXIU, D(2015, 1, 1), D(2021, 3, 30))])
        self.assert_failures([], [], insurance=[
                pension(YUEXIU, D(2015, 1, 1), D(2021, 3, 31))])

    @with_transaction()
    def test_insurance_two_types_overlapping(self):
        "A stopped type and a months-old one do not make one type's year"
        self.assert_failures([], [B_INSURANCE], insurance=[
                pension(YUEXIU, D(2019, 1, 1), D(2020, 12, 31)),
                medical(YUEXIU, D(2020, 10, 1))])
        # One of two overlapping types paid for years: met.
        self.assert_failures([], [], insurance=[
                pension(YUEXIU, D(2018, 1, 1)),
                medical(YUEXIU, D(2020, 10, 1))])

    @with_transaction()
    def test_insurance_one_day_gap_or_elsewhere(self):
        "A day's gap restarts the year; insurance paid in Tianhe is not"
        self.assert_failures([], [B_INSURANCE], insurance=[
                pension(YUEXIU, D(2019, 1, 1), D(2020, 8, 31)),
                pension(YUEXIU, D(2020, 9, 2))])
        self.assert_failures([], [], insurance=[
                pension(YUEXIU, D(2019, 1, 1), D(2020, 8, 31)),
                pension(YUEXIU, D(2020, 9, 1))])
        self.assert_failures([], [B_INSURANCE], insurance=[
                pension(TIANHE, D(2015, 1, 1))])

    # At the round's cut-off ----------------------------------------------
    @with_transaction()
    def test_submission_judged_at_cutoff(self):
        """A permit a year old on the submission day but not at the
        cut-off: refused with its zh_CN reason and the permit's reading;
        nothing changed"""
        pool = Pool()
        Applicant = pool.get('laisui.applicant')
        Application = pool.get('laisui.admission.application')
        District = pool.get('laisui.district')
        yuexiu, = District.search([('code', '=', YUEXIU)])
        with Transaction().set_context(_laisui_now=NOW):
            round_ = make_round()
            schools = make_schools(round_, [2])
            applicant, = Applicant.create([{
                        'name': '陈小燕', 'id_number': id_number(9000),
                        'phone': '13800139000',
                        'permits': [('create', [{'number': 'GD1',
                                        'district': yuexiu.id,
                                        'date_start': D(2020, 4, 15)}])],
                        'facts': [('create', [
                                    dict(f, district=yuexiu.id)
                                    for f in RESIDENCE])],
                        }])
            verify_points(applicant)
            child = child_of(applicant)
            application = draft_application(
                round_, applicant, child, schools, type_code='A')
            (failed, _, _), = Application.assess([application]).values()
            self.assertEqual(failed, [(A_PERMIT,
                        "越秀区办理的广东省居住证（含签注记录）",
                        "在本区办理的现居住证连续持有满年数：0")])
            with self.assertRaises(UserError) as cm:
                Application.submit([application])
        self.assertIn(A_PERMIT, cm.exception.message)
        application = Application(application.id)
        self.assertEqual(application.state, 'draft')
        self.assertIsNone(application.score)
