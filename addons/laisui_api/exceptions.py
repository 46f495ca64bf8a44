# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class ScopeGroupError(ValidationError):
    pass


class ApiError(UserError):
    pass


class WebhookAddressError(ValidationError):
    pass
