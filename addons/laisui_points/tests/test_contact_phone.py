# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The applicant's contact phone in the back office: shown masked, changed
by window clerks through the masked field, read whole by nobody."""
from trytond.model.exceptions import AccessError
from trytond.modules.laisui_base.exceptions import PhoneError
from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, acting, staff)
from trytond.modules.laisui_points.tests.tools import make_applicant
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction


class ContactPhoneTestCase(ActivatedTestCase):
    "Applicant contact phone"
    modules = ['laisui_points']

    @with_transaction()
    def test_masked_entry(self):
        Applicant = Pool().get('laisui.applicant')
        applicant = make_applicant()
        clerk = staff('clerk', 'group_window_clerk')
        reviewer = staff('reviewer', 'group_district_reviewer')
        with acting(clerk):
            Applicant.write([applicant],
                {'contact_phone_masked': '138 0013 8002'})
            read, = Applicant.read([applicant.id], ['contact_phone_masked'])
            self.assertEqual(read['contact_phone_masked'], '138****8002')
            # The masked text sent back changes nothing.
            Applicant.write([applicant],
                {'contact_phone_masked': '138****8002'})
            with self.assertRaises(AccessError):
                Applicant.read([applicant.id], ['contact_phone'])
            with self.assertRaises(PhoneError):
                Applicant.write([applicant],
                    {'contact_phone_masked': '1380013'})
        self.assertEqual(Applicant(applicant.id).contact_phone, '13800138002')
        with acting(reviewer):
            with self.assertRaises(AccessError):
                Applicant.write([applicant],
                    {'contact_phone_masked': '13800138003'})
        self.assertEqual(Applicant(applicant.id).contact_phone, '13800138002')
