# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the applicant checked is what is submitted.

Every application the applicant makes online follows one pattern: a
resumable draft → the read-only summary of exactly what will be submitted
(核对信息) → an SMS code bound to the digest of that summary → submit →
the confirmation with the number. Any change of the draft after the code
was sent changes the digest, and the code no longer confirms it. Submitting
the same digest twice (a double click, a retried request) gives the one
document submitted the first time.
"""
import hashlib
import json

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool

from .exceptions import ConfirmationError

PURPOSE = 'confirm'


class ConfirmedSubmissionMixin:
    __slots__ = ()

    confirmed_digest = fields.Char("Confirmed Digest", readonly=True,
        help="The digest of the summary the applicant confirmed.")
    confirmed_summary = fields.Text("Confirmed Summary", readonly=True,
        help="The summary the applicant confirmed, as it was shown.")
    submitted_text = fields.Function(fields.Text("Submitted Content",
            help="What the applicant confirmed, one row a line."),
        'get_submitted_text')

    def confirmation_summary(self):
        """What will be submitted as the applicant reads it: a list of
        (label, text) rows; the digest covers exactly these rows."""
        raise NotImplementedError

    def prepare_confirmation(self):
        """Bring what the summary shows up to date (e.g. points computed
        from facts changed since): called before the summary is shown,
        before the code is sent and before submission."""

    def check_submittable(self):
        """Raise a UserError when the draft cannot be submitted now: checked
        before the applicant is sent a code and again at submission."""

    def submitted_summary(self):
        "The rows the applicant confirmed, else those of the draft now"
        if self.confirmed_summary:
            return [tuple(r) for r in json.loads(self.confirmed_summary)]
        return self.confirmation_summary()

    def get_submitted_text(self, name):
        return '\n'.join(f'{label}：{text}'
            for label, text in self.submitted_summary())

    def confirmation_phone(self):
        return self.review_applicant().phone

    def confirmation_digest(self, summary=None):
        "The digest of the summary, bound to this document"
        if summary is None:
            summary = self.confirmation_summary()
        text = json.dumps([self.__name__, self.id, _rows(summary)],
            ensure_ascii=False, separators=(',', ':'))
        return hashlib.sha256(text.encode('utf-8')).hexdigest()

    def send_confirmation_code(self):
        """Check the draft, then send the code that confirms its summary;
        return the digest the code is bound to"""
        VerificationCode = Pool().get('laisui.verification.code')
        self._check_draft()
        self.prepare_confirmation()
        self.check_submittable()
        phone = self.confirmation_phone()
        if not phone:
            raise ConfirmationError(gettext('laisui_review.msg_no_phone'))
        digest = self.confirmation_digest()
        VerificationCode.issue(phone, PURPOSE, binding=digest)
        return digest

    def _check_draft(self):
        if self.state != 'draft':
            raise ConfirmationError(gettext(
                    'laisui_review.msg_confirm_not_draft'))

    @classmethod
    def confirm_submission(cls, document, code, digest):
        """Submit the draft if the code confirms the summary of digest.

        Return None when submitted (now or by an earlier request with the
        same digest), else the id of the message that says why not. The
        caller commits in both cases: a wrong try counts against the code.
        """
        VerificationCode = Pool().get('laisui.verification.code')
        # Concurrent submissions of one document wait for each other here.
        cls.lock([document])
        document = cls(document.id)
        if document.state != 'draft':
            if digest and document.confirmed_digest == digest:
                return None
            return 'laisui_review.msg_confirm_not_draft'
        document.prepare_confirmation()
        summary = document.confirmation_summary()
        if not digest or digest != document.confirmation_digest(summary):
            return 'laisui_base.msg_code_changed'
        message = VerificationCode.check(
            document.confirmation_phone(), PURPOSE, code, binding=digest)
        if message:
            return message
        document.check_submittable()
        cls.write([document], {
                'confirmed_digest': digest,
                'confirmed_summary': json.dumps(
                    _rows(summary), ensure_ascii=False),
                })
        cls.submit_confirmed([document])

    @classmethod
    def submit_confirmed(cls, documents):
        "Submit documents whose summary the applicant confirmed"
        cls.submit(documents)


def _rows(summary):
    return [[str(label), str(text)] for label, text in summary]
