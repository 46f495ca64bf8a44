# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Cells of the XLSX and CSV files the system writes: data, never formulas.

Exports hold text that applicants and departments typed. Excel and
LibreOffice run a cell that starts with = + - @, tab, CR or NUL as a
formula (formula or CSV injection: the project's security reference,
security.md, §3 OWASP ASVS level 2 items for this portal). Every export
writes its cells through this module:

- XLSX: every str is stored as an inline string. openpyxl takes a str
  starting with '=' for a formula, so data_type is set to 's' after the
  value: the text is kept exactly and the file has no <f> element.
  Characters XML 1.0 cannot hold (NUL and the other C0 controls but tab,
  LF and CR) become U+FFFD: openpyxl would refuse them and fail the whole
  export.
- CSV has no cell types, so a text that a spreadsheet could run gets a
  leading ' (OWASP). That is checked on the first character and on the
  first one after leading white space, since an importer may trim the
  spaces before it evaluates (LibreOffice's "Trim spaces" option).

Numbers, dates and None keep their types in both.
"""
import csv
import io

__all__ = ['TRIGGERS', 'runnable', 'csv_cell', 'CSVWriter', 'XLSXSheet']

TRIGGERS = frozenset('=+-@\t\r\0')


def runnable(text):
    "Whether a spreadsheet could run the text as a formula"
    return text[:1] in TRIGGERS or text.lstrip()[:1] in TRIGGERS


def csv_cell(value):
    "The value as a CSV field: a runnable text gets a leading quote"
    if isinstance(value, str) and runnable(value):
        return "'" + value
    return value


class CSVWriter:
    "csv.writer whose text fields are never formulas"

    def __init__(self, output, **fmtparams):
        self._writer = csv.writer(output, **fmtparams)

    def writerow(self, row):
        return self._writer.writerow([csv_cell(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class XLSXSheet:
    """A new workbook of one write-only sheet whose text cells are text.

    `worksheet` is the openpyxl sheet, for column widths, protection and
    validations."""

    def __init__(self, title):
        import openpyxl
        self._workbook = openpyxl.Workbook(write_only=True)
        self.worksheet = self._workbook.create_sheet(title)

    def cell(self, value, **style):
        "A cell of value; style sets openpyxl attributes (font, protection)"
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        text = isinstance(value, str)
        if text:
            value = ILLEGAL_CHARACTERS_RE.sub('\ufffd', value)
        cell = WriteOnlyCell(self.worksheet, value=value)
        if text:
            cell.data_type = 's'
        for name, attribute in style.items():
            setattr(cell, name, attribute)
        return cell

    def append(self, values, **style):
        "Add a row of values, or of cells made by cell()"
        from openpyxl.cell import Cell
        self.worksheet.append([v if isinstance(v, Cell)
                else self.cell(v, **style) for v in values])

    def getvalue(self):
        "The XLSX file as bytes"
        output = io.BytesIO()
        self._workbook.save(output)
        return output.getvalue()
