# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class WorkflowError(ValidationError):
    "A workflow definition that cannot be activated or changed"


class DecisionError(UserError):
    "A review decision that the case or line does not allow"


class BatchError(UserError):
    "A batch review file that cannot be read"


class ConfirmationError(UserError):
    "A draft that cannot be confirmed or submitted as it stands"


class WithdrawalError(UserError):
    "A document that may no longer be withdrawn"
