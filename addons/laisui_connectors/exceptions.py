# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class FileFormatError(UserError):
    "The file cannot be read as a table"


class SourceError(UserError):
    "The external system failed or answered nonsense"


class DuplicateFileError(UserError):
    pass


class DatasetError(ValidationError):
    pass


class DataTableError(ValidationError):
    pass


class DataTableImportError(UserError):
    "A file of rows refused whole, with the rows to correct"
