# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Submission confirmed by an SMS code sent to the applicant's phone,
from the back office (a clerk at the window) as from the portal."""
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.laisui_base.identity import mask_phone
from trytond.pool import Pool
from trytond.wizard import Button, StateTransition, StateView, Wizard

PURPOSE = 'confirm'


def send_code(application):
    """Check what can be checked before bothering the applicant, then
    send the confirmation code"""
    VerificationCode = Pool().get('laisui.verification.code')
    if application.state != 'draft':
        raise UserError(gettext('laisui_admission.msg_application_readonly'))
    application.round.check_window('application')
    application.check_preferences()
    phone = application.applicant.phone
    if not phone:
        raise UserError(gettext('laisui_admission.msg_no_phone'))
    VerificationCode.issue(phone, PURPOSE)


class SubmitStart(ModelView):
    "Confirm an admission application"
    __name__ = 'laisui.admission.application.submit.start'

    phone = fields.Char("Code Sent To", readonly=True)
    code = fields.Char("SMS Code", required=True, size=6)
    error = fields.Char("Error", readonly=True)


class Submit(Wizard):
    "Submit an admission application"
    __name__ = 'laisui.admission.application.submit'
    start_state = 'send'
    send = StateTransition()
    start = StateView('laisui.admission.application.submit.start',
        'laisui_admission.application_submit_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Submit", 'submit', 'tryton-ok', default=True),
            ])
    submit = StateTransition()

    def transition_send(self):
        send_code(self.record)
        return 'start'

    def default_start(self, fields):
        return {'phone': mask_phone(self.record.applicant.phone)}

    def value_start(self, fields):
        # Shown again after a wrong code: say why, empty the code.
        return {'error': getattr(self.start, 'error', None), 'code': None}

    def transition_submit(self):
        VerificationCode = Pool().get('laisui.verification.code')
        message = VerificationCode.check(
            self.record.applicant.phone, PURPOSE, self.start.code)
        if message:
            # Back to the form, not an exception: the wrong try must be
            # committed to count against the code.
            self.start.error = gettext(message)
            self.start.code = None
            return 'start'
        self.model.submit([self.record])
        return 'end'
