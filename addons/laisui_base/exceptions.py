# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class IdNumberError(ValidationError):
    pass


class PhoneError(ValidationError):
    pass


class RoleSeparationError(ValidationError):
    pass


class AuditLogError(AccessError):
    pass


class StaffAccountError(AccessError):
    pass


class PasswordPolicyError(ValidationError):
    pass


class SMSRateLimitError(UserError):
    pass


class StateConflictError(UserError):
    "Somebody else moved the record first"
    pass



class CredentialError(UserError):
    pass


class CredentialKeyError(UserError):
    pass


class UploadError(UserError):
    pass


class UploadInfectedError(UploadError):
    "The virus scan found a signature: the file is quarantined"
    pass


class UploadScanError(UploadError):
    "The file could not be scanned (clamd unreachable or failing)"
    pass


class UploadQuotaError(UploadError):
    "The applicant's stored evidence would exceed the quota"
    pass


class PortalError(UserError):
    "A bad portal input; `field` names the form input it is about, if one"

    def __init__(self, message, description='', field=None):
        super().__init__(message, description)
        self.field = field


class PortalForbidden(Exception):
    """A portal request for a record that is not the signed-in user's:
    the portal answers 403 and audits it"""

    def __init__(self, resource):
        super().__init__(resource)
        self.resource = resource


class PortalNotFound(PortalForbidden):
    """A request for a record that is not the user's, answered as for one
    that does not exist (404, audited all the same): the answer tells
    nothing of other people's records"""


class FormDefinitionError(ValidationError):
    "A form version that cannot be published as written"
    pass


class FormPublishedError(AccessError):
    "A published or retired form version never changes: make a new one"
    pass


class FormAnswersError(UserError):
    """Answers that do not fit their form: errors is {input key: zh_CN
    message}, in the order of the form"""

    def __init__(self, errors):
        super().__init__('\n'.join(errors.values()))
        self.errors = errors
