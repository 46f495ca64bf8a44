# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import contextlib
import datetime as dt

from trytond.modules.laisui_base.tests.tools import staff
from trytond.pool import Pool
from trytond.transaction import Transaction

DATE = dt.date(2019, 4, 30)


def make_applicant(name="陈小燕", id_number='440524199001011221',
        phone='13800138000'):
    "An applicant with the facts of a typical Yuexiu renter"
    pool = Pool()
    Applicant = pool.get('laisui.applicant')
    District = pool.get('laisui.district')
    yuexiu, = District.search([('code', '=', '440104')])
    applicant, = Applicant.create([{
                'name': name, 'id_number': id_number, 'phone': phone,
                'permits': [('create', [{
                                'number': 'GD4401042013',
                                'district': yuexiu.id,
                                'date_start': dt.date(2013, 3, 1),
                                }])],
                'facts': [('create', [
                            {'kind': 'residence_rented', 'flag': True,
                                'district': yuexiu.id,
                                'date_from': dt.date(2014, 1, 1)},
                            {'kind': 'insurance', 'level': 'pension',
                                'date_from': dt.date(2014, 1, 1)},
                            {'kind': 'insurance', 'level': 'medical',
                                'date_from': dt.date(2014, 1, 1),
                                'date_to': dt.date(2016, 12, 31)},
                            {'kind': 'insurance', 'level': 'medical',
                                'date_from': dt.date(2016, 6, 1)},
                            {'kind': 'education', 'level': 'college',
                                'date_from': dt.date(2011, 7, 1)},
                            {'kind': 'volunteer', 'quantity': 120,
                                'date_from': dt.date(2017, 5, 1)},
                            {'kind': 'credit',
                                'date_from': dt.date(2018, 5, 1)},
                            ])],
                }])
    return applicant


def new_version(source, version, date_from, date_to=None, **values):
    "A draft copy of the rule set source, as the New Version wizard makes it"
    RuleSet = Pool().get('laisui.points.rule_set')
    draft, = RuleSet.copy([source], default=dict(values,
            version=version, date_from=date_from, date_to=date_to))
    return RuleSet(draft.id)


def approve(rule_sets, approver=None):
    """The drafts approved by a second points admin (by default one who
    neither created nor changed them), with access rights as over RPC"""
    pool = Pool()
    RuleSet = pool.get('laisui.points.rule_set')
    User = pool.get('res.user')
    if approver is None:
        approver = (User.search([('login', '=', 'rule_approver')])
            or [staff('rule_approver', 'group_district_admin')])[0]
    transaction = Transaction()
    with transaction.set_user(approver.id), \
            transaction.set_context(_check_access=True):
        RuleSet.approve(RuleSet.browse(rule_sets))
    return RuleSet.browse(rule_sets)


@contextlib.contextmanager
def as_deployment():
    """Change the seeded table in place as a module update does: as the
    server itself (user 0), which the rule set lock and the audit leave
    alone. For test fixtures; people change rules by a new version."""
    with Transaction().set_user(0):
        yield
