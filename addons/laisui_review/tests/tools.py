# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import contextlib
import datetime as dt
import io

import openpyxl

from trytond.modules.laisui_base.tests.tools import acting, staff
from trytond.modules.laisui_connectors.tests.tools import id_number
from trytond.pool import Pool
from trytond.transaction import Transaction

# The seeded 2018 city rule set is in force on this date.
REFERENCE_DATE = dt.date(2021, 6, 30)
# A Wednesday before the National Day holidays of 2026 (calendar.xml).
NOW = dt.datetime(2026, 9, 30, 2, 0)


def use_reference_date():
    Configuration = Pool().get('laisui.points.configuration')
    configuration = Configuration(1)
    configuration.reference_date = REFERENCE_DATE
    configuration.save()


def make_applicant(n=1, insurance_from=dt.date(2014, 1, 1)):
    """A renter in Yuexiu whose permit and lease are known to the source
    systems; the insurance system knows pension only from insurance_from
    (declared: 2014-01-01)."""
    pool = Pool()
    Applicant = pool.get('laisui.applicant')
    District = pool.get('laisui.district')
    yuexiu, = District.search([('code', '=', '440104')])
    applicant, = Applicant.create([{
                'name': f'陈小燕{n}', 'id_number': id_number(n),
                'phone': f'1380013{n:04d}',
                'permits': [('create', [{
                                'number': f'GD44010420{n:04d}',
                                'district': yuexiu.id,
                                'date_start': dt.date(2013, 3, 1),
                                'source': 'external',
                                }])],
                'facts': [('create', [
                            {'kind': 'residence_rented', 'flag': True,
                                'district': yuexiu.id,
                                'date_from': dt.date(2014, 1, 1),
                                'source': 'external',
                                'external_reference': f'rental_lease:{n}'},
                            {'kind': 'insurance', 'level': 'pension',
                                'date_from': dt.date(2014, 1, 1)},
                            {'kind': 'insurance', 'level': 'pension',
                                'date_from': insurance_from,
                                'source': 'external',
                                'external_reference': f'hrss_insurance:{n}'},
                            {'kind': 'education', 'level': 'college',
                                'date_from': dt.date(2011, 7, 1)},
                            ])],
                }])
    return applicant


def submit(applicant):
    "A points verification request submitted by a clerk; its case"
    Request = Pool().get('laisui.review.points_request')
    request, = Request.create([{'applicant': applicant.id}])
    Request.submit([request])
    return Request(request.id).review_case


def department(code):
    Department = Pool().get('laisui.department')
    department, = Department.search([('code', '=', code)])
    return department


def department_reviewer(login, code):
    user = staff(login, 'group_department_reviewer')
    user.laisui_departments = [department(code)]
    user.save()
    return user


@contextlib.contextmanager
def as_root():
    "Run as the system itself, which no stage's responsibility binds"
    with Transaction().set_user(0):
        yield


def line(case, indicator_code):
    Line = Pool().get('laisui.review.line')
    line, = Line.search([('case', '=', case.id),
            ('indicator.code', '=', indicator_code)])
    return line


def stage_codes(case):
    return [s.stage.code for s in case.steps]


def case_at_departments(n=1):
    """A case of applicant n whose insurance (RS) and education (JY)
    lines are open"""
    Case = Pool().get('laisui.review.case')
    use_reference_date()
    case = submit(make_applicant(n, insurance_from=dt.date(2018, 1, 1)))
    with as_root():
        for _ in range(3):
            Case.decide([Case(case.id)], 'pass')
    return Case(case.id)


def case_at_district_review(first_reviewer):
    """A case at 区来穗审核 whose 初审 was passed by first_reviewer and whose
    department lines are confirmed"""
    pool = Pool()
    Case = pool.get('laisui.review.case')
    Line = pool.get('laisui.review.line')
    use_reference_date()
    case = submit(make_applicant(insurance_from=dt.date(2018, 1, 1)))
    clerk = staff('clerk01', 'group_window_clerk')
    for who in [clerk, clerk, first_reviewer]:
        with acting(who):
            Case.pass_([Case(case.id)])
    for login, code, indicator in [
            ('hr01', 'RS', 'insurance'), ('edu01', 'JY', 'education')]:
        with acting(department_reviewer(login, code)):
            Line.confirm([line(case, indicator)])
    return Case(case.id)


def edit_sheet(data, changes):
    "The sheet with cells changed: {(row, column index): value}"
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.active
    for (row, column), value in changes.items():
        sheet.cell(row=row, column=column + 1, value=value)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
