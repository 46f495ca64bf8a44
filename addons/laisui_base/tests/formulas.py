# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Formula-injection payloads and checks shared by the export tests
(laisui_base/spreadsheet.py)."""
import csv
import io
import re
import zipfile

# Kept exactly in an XLSX, quoted in a CSV.
FORMULAS = ['=HYPERLINK("http://x","y")', '+1', '-1+1', '@SUM(A1)',
    '\t=1', '\r=1']
# openpyxl refuses NUL: the XLSX has U+FFFD instead, the CSV the quote.
NUL = '\0=1'
_FORMULA_ELEMENT = re.compile(r'<f[\s>/]')


def stored_formulas():
    "FORMULAS, and NUL where the database can store it (not PostgreSQL)"
    from trytond import backend
    return FORMULAS + ([NUL] if backend.name == 'sqlite' else [])


def xlsx_without_formulas(case, data):
    "Check that no sheet of the XLSX bytes has a formula; its workbook"
    import openpyxl
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith('xl/worksheets/'):
                case.assertNotRegex(
                    archive.read(name).decode(), _FORMULA_ELEMENT, name)
    return openpyxl.load_workbook(io.BytesIO(data))


def assert_text(case, cell, text):
    "The openpyxl cell is a string cell of exactly text"
    case.assertEqual((cell.value, cell.data_type), (text, 's'))


def csv_rows(text):
    "The rows of a CSV text, without the BOM"
    return list(csv.reader(io.StringIO(text.lstrip('\ufeff'), newline='')))
