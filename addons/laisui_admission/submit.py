# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Submission at the window: the clerk sends the applicant the SMS code
that confirms the application's summary (as the portal does,
laisui_review.confirmation), and submits with the code the applicant
reads out."""
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.laisui_base.identity import mask_phone
from trytond.wizard import Button, StateTransition, StateView, Wizard


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
        self.record.send_confirmation_code()
        return 'start'

    def default_start(self, fields):
        return {'phone': mask_phone(self.record.applicant.phone)}

    def value_start(self, fields):
        # Shown again after a wrong code: say why, empty the code.
        return {'error': getattr(self.start, 'error', None), 'code': None}

    def transition_submit(self):
        # The code is bound to the digest of the application as it was
        # when the code was sent: a change since makes it worthless.
        message = self.model.confirm_submission(
            self.record, self.start.code,
            self.record.confirmation_digest())
        if message:
            # Back to the form, not an exception: the wrong try must be
            # committed to count against the code.
            self.start.error = gettext(message)
            self.start.code = None
            return 'start'
        return 'end'
