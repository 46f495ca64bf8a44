# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Showing a full ID or mobile number to staff: one audited click."""
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.wizard import Button, StateView, Wizard


class UnmaskShow(ModelView):
    "Unmasked identity"
    __name__ = 'laisui.applicant.unmask.show'

    name = fields.Char("Name", readonly=True)
    id_number = fields.Char("ID Number", readonly=True)
    phone = fields.Char("Mobile", readonly=True)


class Unmask(Wizard):
    "Show the full ID and mobile number"
    __name__ = 'laisui.applicant.unmask'

    start_state = 'show'
    show = StateView('laisui.applicant.unmask.show',
        'laisui_points.applicant_unmask_show_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_show(self, fields):
        AuditLog = Pool().get('laisui.audit.log')
        applicant = self.record
        # Reading the record first applies the user's access rights.
        values = {
            'name': applicant.name,
            'id_number': applicant.id_number,
            'phone': applicant.phone,
            }
        AuditLog.log('unmask', resource=str(applicant),
            detail='id_number, phone')
        return values
