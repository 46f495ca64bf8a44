# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import contextlib
import datetime as dt

from stdnum.cn import ric

from trytond.pool import Pool
from trytond.transaction import Transaction

# A Wednesday (2026-09-30 10:00 in Guangzhou), a working day.
NOW = dt.datetime(2026, 9, 30, 2, 0)
TODAY = dt.date(2026, 9, 30)


def evidence_type(code):
    Type = Pool().get('laisui.evidence.type')
    types = Type.search([('code', '=', code)])
    if types:
        return types[0]
    type_, = Type.create([{'code': code, 'name': code}])
    return type_


def department():
    Department = Pool().get('laisui.department')
    return Department.search([])[0]


def make_service(code='training', conditions=(), materials=(),
        sessions_required=False, voucher='approval', publish=True, **values):
    """A service with one version (published unless publish is False);
    conditions: dicts of laisui.service.condition values; materials:
    evidence type codes (required)"""
    pool = Pool()
    Service = pool.get('laisui.service')
    Version = pool.get('laisui.service.version')
    service, = Service.create([{
                'code': code, 'name': f'服务{code}', 'category': 'training',
                'department': department().id,
                }])
    version, = Version.create([dict({
                    'service': service.id,
                    'description': '面向来穗人员的融合培训。',
                    'guidance': '携带身份证参加。\n咨询电话 12345。',
                    'sessions_required': sessions_required,
                    'voucher': voucher,
                    'voucher_title': '结业证明' if voucher else None,
                    'conditions': [('create', list(conditions))],
                    'materials': [('create', [{
                                    'type': evidence_type(t).id,
                                    'required': True,
                                    } for t in materials])],
                    }, **values)])
    if publish:
        Version.publish([version])
    return Service(service.id)


def make_applicant(n=1, birth_date=dt.date(1990, 1, 1), permit_end=None,
        district='440104'):
    """An applicant with a residence permit of the district from
    2020-03-01 (ending permit_end) and a registered rental there since
    2021-01-01"""
    pool = Pool()
    Applicant = pool.get('laisui.applicant')
    District = pool.get('laisui.district')
    district, = District.search([('code', '=', district)])
    applicant, = Applicant.create([{
                'name': f'陈小燕{n}',
                'id_number': id_number(n, birth_date),
                'phone': f'1380013{n:04d}',
                'permits': [('create', [{
                                'number': f'GD44010420{n:04d}',
                                'district': district.id,
                                'date_start': dt.date(2020, 3, 1),
                                'date_end': permit_end,
                                'source': 'external',
                                }])],
                'facts': [('create', [
                            {'kind': 'residence_rented', 'flag': True,
                                'district': district.id,
                                'date_from': dt.date(2021, 1, 1),
                                'source': 'external',
                                'external_reference': f'rental_lease:{n}'},
                            ])],
                }])
    return applicant


def id_number(n, birth):
    "A valid ID number of a person born on birth, different for each n"
    base = f'440104{birth:%Y%m%d}{n % 1000:03d}'
    return base + ric.calc_check_digit(base + '0')


@contextlib.contextmanager
def rolled_back(name='refused'):
    """Undo what the block wrote when it raises: Tryton validates after
    writing and the dispatcher rolls the request back, a savepoint plays
    its part"""
    cursor = Transaction().connection.cursor()
    cursor.execute(f'SAVEPOINT {name}')
    try:
        yield
    except Exception:
        cursor.execute(f'ROLLBACK TO SAVEPOINT {name}')
        raise
