# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.pool import Pool

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
