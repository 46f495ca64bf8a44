# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class ServiceError(ValidationError):
    "A service or version definition that cannot be saved or published"


class ApplicationError(UserError):
    "A service application that cannot be made, submitted or decided now"
