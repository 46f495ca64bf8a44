# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError


class DeclarationLockedError(UserError):
    "What the applicant declared is in use by a review under way"
    pass


class ReferencedError(UserError):
    "A record other records keep (a RESTRICT foreign key) cannot go"
    pass


class IdentityCorrectionError(UserError):
    pass
