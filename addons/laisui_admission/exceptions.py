# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class WindowError(UserError):
    "Something done outside the dates the round allows"


class EligibilityError(UserError):
    "An application whose applicant or child does not meet the conditions"


class PreferenceError(ValidationError):
    "School preferences the round does not accept"


class RunError(UserError):
    "An allocation run that cannot be executed or published"


class SearchError(UserError):
    "A search of the publication whose input cannot be understood"
