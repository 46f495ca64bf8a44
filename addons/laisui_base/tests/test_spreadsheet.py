# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The one cell writer of the exports: text is never a formula."""
import datetime as dt
import io
import unittest

from openpyxl.styles import Font, Protection

from trytond.modules.laisui_base.spreadsheet import (
    CSVWriter, XLSXSheet, csv_cell, runnable)

from .formulas import (
    FORMULAS, NUL, assert_text, csv_rows, xlsx_without_formulas)

TYPED = [42, -1, 2.5, dt.date(2021, 5, 1), dt.datetime(2021, 5, 1, 9, 30),
    None]


class SpreadsheetTestCase(unittest.TestCase):
    "Spreadsheet cells"

    def test_runnable(self):
        for text in FORMULAS + [NUL, ' =1', '\n+1', '　@x']:
            with self.subTest(text=text):
                self.assertTrue(runnable(text))
        for text in ['', ' ', '陈小燕', 'a=1', '1-1', "'=1", '＝1']:
            with self.subTest(text=text):
                self.assertFalse(runnable(text))

    def test_xlsx_text_exact_and_typed_values(self):
        output = XLSXSheet('sheet')
        output.append(FORMULAS + [NUL, ' =1', 'plain'])
        output.append(TYPED)
        output.append([output.cell('=1', font=Font(bold=True)),
                output.cell('+1', protection=Protection(locked=False))])
        sheet = xlsx_without_formulas(self, output.getvalue()).active
        for cell, text in zip(sheet[1], FORMULAS + [
                    '\ufffd=1', ' =1', 'plain']):
            with self.subTest(text=text):
                assert_text(self, cell, text)
        values = [c.value for c in sheet[2]][:len(TYPED) - 1]
        self.assertEqual(values, [42, -1, 2.5,
                dt.datetime(2021, 5, 1), dt.datetime(2021, 5, 1, 9, 30)])
        self.assertEqual([c.data_type for c in sheet[2]][:5],
            ['n', 'n', 'n', 'd', 'd'])
        bold, unlocked = sheet[3][:2]
        assert_text(self, bold, '=1')
        self.assertTrue(bold.font.bold)
        self.assertFalse(unlocked.protection.locked)

    def test_csv_quote_prefix(self):
        self.assertEqual(csv_cell(-1), -1)
        self.assertIsNone(csv_cell(None))
        output = io.StringIO()
        writer = CSVWriter(output)
        writer.writerows([FORMULAS + [NUL, ' =1'],
                ['plain', '', -1, 2.5, None]])
        risky, plain = csv_rows(output.getvalue())
        self.assertEqual(risky, ["'" + t for t in FORMULAS + [NUL, ' =1']])
        self.assertEqual(plain, ['plain', '', '-1', '2.5', ''])
