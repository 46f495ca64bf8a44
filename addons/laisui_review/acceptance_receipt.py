# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The acceptance receipt (受理回执) of a case: a PDF from a Jinja
template through WeasyPrint, as the admission notice and vouchers are."""
from trytond.i18n import gettext
from trytond.modules.laisui_base import clock, printout
from trytond.report import Report

from .exceptions import DecisionError

HOTLINE = '12345'


class AcceptanceReceipt(Report):
    "Acceptance receipt"
    __name__ = 'laisui.review.acceptance_receipt'

    @classmethod
    def _execute(cls, records, header, data, action):
        # Reading the case checked the access already (Report.check_access).
        for case in records:
            if not case.acceptance_number:
                raise DecisionError(gettext(
                        'laisui_review.msg_receipt_not_accepted',
                        case=case.rec_name))
        return 'pdf', printout.template_pdf(
            'laisui_review/receipt.html', cases=records, hotline=HOTLINE,
            local=clock.to_local)
