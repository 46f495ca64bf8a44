# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class BarredError(UserError):
    "The applicant is on the blacklist for this service"


class DecisionError(UserError):
    "A decision lacks what it needs"


class IntegrityDeleteError(AccessError):
    pass


class PolicyError(ValidationError):
    pass


class AppealError(UserError):
    pass
