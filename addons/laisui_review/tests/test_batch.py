# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Batch review by an Excel round trip."""
import io
import zipfile
from decimal import Decimal

import openpyxl

from trytond.modules.laisui_base.tests.formulas import (
    NUL, assert_text, stored_formulas, xlsx_without_formulas)
from trytond.modules.laisui_connectors.tests.test_file import patch_xlsx
from trytond.modules.laisui_review.batch import (
    DECISION, HEADERS, OPEN_LINES, POINTS, REASON, apply_sheet, export_lines,
    read_sheet)
from trytond.modules.laisui_review.exceptions import BatchError
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction, without_check_access

from .tools import (
    NOW, acting, as_root, case_at_departments, department_reviewer,
    edit_sheet, line)

class BatchTestCase(ActivatedTestCase):
    "Batch review sheets"
    modules = ['laisui_review']

    def export(self, user):
        with acting(user):
            data, count = export_lines(OPEN_LINES)
        return data, count

    @with_transaction()
    def test_export(self):
        "One department's lines, locked columns, hidden id, no formulas"
        Line = Pool().get('laisui.review.line')
        hr = department_reviewer('hr01', 'RS')
        with Transaction().set_context(_laisui_now=NOW):
            case = case_at_departments()
        insurance = line(case, 'insurance')
        Line.write([insurance], {'evidence': '=HYPERLINK("http://x.cn")'})
        data, count = self.export(hr)
        self.assertEqual(count, 1)
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        self.assertEqual([c.value for c in sheet[1]], HEADERS)
        row = [c for c in sheet[2]]
        self.assertEqual(row[0].value, insurance.id)
        self.assertEqual(row[6].value, insurance.indicator.name)
        self.assertEqual(row[5].value, case.applicant.id_number_masked)
        self.assertTrue(sheet.column_dimensions['A'].hidden)
        self.assertTrue(sheet.protection.sheet)
        self.assertTrue(row[3].protection.locked)
        self.assertFalse(row[DECISION].protection.locked)
        validation, = sheet.data_validations.dataValidation
        self.assertEqual(validation.formula1, '"确认,调整,需补正"')
        # The injected text is a string cell, never a formula.
        xml = zipfile.ZipFile(io.BytesIO(data)).read(
            'xl/worksheets/sheet1.xml').decode()
        self.assertNotIn('<f>', xml)
        self.assertEqual(row[10].value, '=HYPERLINK("http://x.cn")')
        self.assertEqual(row[10].data_type, 's')

    @with_transaction()
    def test_export_formulas_as_text(self):
        "Evidence and names that look like formulas stay exact text"
        pool = Pool()
        Line = pool.get('laisui.review.line')
        Applicant = pool.get('laisui.applicant')
        hr = department_reviewer('hr01', 'RS')
        with Transaction().set_context(_laisui_now=NOW):
            case = case_at_departments()
        insurance = line(case, 'insurance')
        applicant = Applicant.__table__()
        cursor = Transaction().connection.cursor()
        for text in stored_formulas():
            Line.write([insurance], {'evidence': text})
            # In SQL, as bulk loads write: the Char field would strip.
            cursor.execute(*applicant.update([applicant.name], [text],
                    where=applicant.id == case.applicant.id))
            Transaction().cache.clear()
            data, _ = self.export(hr)
            row = xlsx_without_formulas(self, data).active[2]
            text = text.replace(NUL, '\ufffd=1')
            with self.subTest(text=text):
                assert_text(self, row[4], text)
                assert_text(self, row[10], text)
                self.assertFalse(row[DECISION].protection.locked)

    @with_transaction()
    def test_import_preview_apply_twice(self):
        "Preview, apply in one go, and a second import changes nothing"
        pool = Pool()
        Line = pool.get('laisui.review.line')
        Case = pool.get('laisui.review.case')
        AuditLog = pool.get('laisui.audit.log')
        hr = department_reviewer('hr01', 'RS')
        education = department_reviewer('edu01', 'JY')
        with Transaction().set_context(_laisui_now=NOW):
            case = case_at_departments()
            insurance = line(case, 'insurance')
            data, _ = self.export(hr)
            data = edit_sheet(data, {(2, DECISION): '调整', (2, POINTS): 3,
                    (2, REASON): '社保系统记录自2018年起缴费'})
            with acting(hr):
                plan = read_sheet(data)
                self.assertEqual(len(plan.apply), 1)
                self.assertIn('调整 3.00', list(plan.describe())[0])
                # The preview changed nothing.
                self.assertEqual(Line(insurance.id).state, 'pending')
                apply_sheet(data)
            insurance = Line(insurance.id)
            self.assertEqual((insurance.state, insurance.points),
                ('adjusted', Decimal('3.00')))
            audit = AuditLog.search_count(
                [('resource', '=', str(insurance))])
            self.assertEqual(audit, 1)

            with acting(hr):
                plan = apply_sheet(data)
            self.assertEqual((len(plan.apply), plan.unchanged,
                    len(plan.refused)), (0, 1, 0))
            self.assertEqual(AuditLog.search_count(
                    [('resource', '=', str(insurance))]), audit)

            # Education's sheet finishes the department stage.
            data, _ = self.export(education)
            with acting(education):
                apply_sheet(edit_sheet(data, {(2, DECISION): '确认'}))
            self.assertEqual(Case(case.id).stage.code, 'district_review')

    @with_transaction()
    def test_refused_rows(self):
        "Locked column edited, stale version, broken signature, not mine"
        Line = Pool().get('laisui.review.line')
        hr = department_reviewer('hr01', 'RS')
        education = department_reviewer('edu01', 'JY')
        with Transaction().set_context(_laisui_now=NOW):
            case = case_at_departments()
            insurance = line(case, 'insurance')
            data, _ = self.export(hr)

            def refusal(changes, user=hr):
                with acting(user):
                    plan = read_sheet(edit_sheet(data,
                            {(2, DECISION): '确认', **changes}))
                self.assertEqual(plan.apply, [])
                (_, reason), = plan.refused
                return reason

            self.assertIn('“申报分值”列不允许修改',
                refusal({(2, 8): '99.00'}))
            self.assertIn('签名', refusal({(2, 1): 7}))
            self.assertIn('签名', refusal({(2, 2): 'f' * 32}))
            self.assertIn('不属于您的审核范围', refusal({}, education))
            self.assertIn('不是有效的审核决定', refusal({(2, DECISION): '同意'}))
            self.assertIn('不少于4个字', refusal({(2, DECISION): '调整'}))
            self.assertIn('公式', refusal({(2, REASON): '=1+1'}))
            self.assertIn('不应填写调整分值', refusal({(2, POINTS): 3}))
            self.assertIn('不应填写调整分值', refusal({
                        (2, DECISION): '需补正', (2, POINTS): 3,
                        (2, REASON): '缺少缴费凭证'}))

            with as_root():
                Line.decide([(insurance, 'correction', None, '缺少缴费凭证')])
            self.assertIn('导出后已变化', refusal({}))
        self.assertEqual(Line(insurance.id).state, 'correction')

    @with_transaction()
    def test_wizards_apply_record_rules(self):
        "Wizards run unchecked over RPC: the sheets still hold only mine"
        pool = Pool()
        Export = pool.get('laisui.review.batch.export', type='wizard')
        hr = department_reviewer('hr01', 'RS')
        with Transaction().set_context(_laisui_now=NOW):
            case = case_at_departments()
        with Transaction().set_user(hr.id), without_check_access():
            session_id, _, _ = Export.create()
            result = Export.execute(session_id, {'start': {
                        'department': None, 'stage': None}}, 'result')
        view = result['view']['defaults']
        self.assertEqual(view['count'], 1)
        sheet = openpyxl.load_workbook(io.BytesIO(view['file'])).active
        self.assertEqual(sheet.cell(row=2, column=1).value,
            line(case, 'insurance').id)
        # A signed row of another department, imported by HR: refused.
        education = department_reviewer('edu01', 'JY')
        data, _ = self.export(education)
        data = edit_sheet(data, {(2, DECISION): '确认'})
        Import = pool.get('laisui.review.batch.import', type='wizard')
        with Transaction().set_user(hr.id), without_check_access():
            session_id, _, _ = Import.create()
            result = Import.execute(session_id, {'start': {
                        'file': data, 'filename': 'x.xlsx'}}, 'preview')
            self.assertIn('不属于您的审核范围',
                result['view']['defaults']['refused'])
            Import.execute(session_id, {'start': {
                        'file': data, 'filename': 'x.xlsx'}}, 'apply')
        self.assertEqual(line(case, 'education').state, 'pending')

    @with_transaction()
    def test_unreadable_files(self):
        "Not XLSX, other headers, a DTD bomb: clear messages"
        hr = department_reviewer('hr01', 'RS')
        with Transaction().set_context(_laisui_now=NOW):
            case_at_departments()
            data, _ = self.export(hr)
        bomb = ('<?xml version="1.0"?><!DOCTYPE lolz ['
            '<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" '
            't="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData>'
            '</worksheet>')
        cases = [
            (b'id,decision\n1,ok\n', '.xlsx'),
            (edit_sheet(data, {(1, 0): '编号'}), '表格列与批量审核导出表不一致'),
            (patch_xlsx(data, 'xl/worksheets/sheet1.xml', bomb), 'DTD'),
            ]
        for content, text in cases:
            with acting(hr), self.assertRaises(BatchError) as cm:
                read_sheet(content)
            self.assertIn(text, cm.exception.message)
