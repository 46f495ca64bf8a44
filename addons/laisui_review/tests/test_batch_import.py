# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Batch review import: LibreOffice's .ods refused with the way out, and
the summary the wizard ends on."""
import io
import zipfile

from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.modules.laisui_review.batch import (
    DECISION, OPEN_LINES, POINTS, apply_sheet, export_lines,
    read_sheet)
from trytond.modules.laisui_review.exceptions import BatchError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction, without_check_access

from .tools import (
    NOW, acting, case_at_departments, department_reviewer, edit_sheet, line)

ODS_MESSAGE = "请在 LibreOffice 中另存为 .xlsx（Excel 2007-365）后再导入"


def ods(mimetype='application/vnd.oasis.opendocument.spreadsheet'):
    "An OpenDocument file as LibreOffice lays it out: mimetype first, stored"
    output = io.BytesIO()
    with zipfile.ZipFile(output, 'w') as archive:
        archive.writestr(zipfile.ZipInfo('mimetype'), mimetype,
            compress_type=zipfile.ZIP_STORED)
        archive.writestr('META-INF/manifest.xml',
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
            'manifest:1.0"/>', compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr('content.xml',
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
            '/>', compress_type=zipfile.ZIP_DEFLATED)
    return output.getvalue()


class BatchImportTestCase(ActivatedTestCase):
    "Batch review import"
    modules = ['laisui_review']

    def run_import(self, user, data):
        "The wizard's preview and, applied, its result"
        Import = Pool().get('laisui.review.batch.import', type='wizard')
        start = {'start': {'file': data, 'filename': 'sheet.xlsx'}}
        with Transaction().set_user(user.id), without_check_access():
            session_id, _, _ = Import.create()
            preview = Import.execute(session_id, start, 'preview')
            result = Import.execute(session_id, start, 'apply')
            Import.delete(session_id)
        return preview['view']['defaults'], result

    @with_transaction()
    def test_ods_refused(self):
        "An .ods gets the way out and changes nothing"
        pool = Pool()
        Import = pool.get('laisui.review.batch.import', type='wizard')
        hr = department_reviewer('hr01', 'RS')
        with Transaction().set_context(_laisui_now=NOW):
            case = case_at_departments()
        with acting(hr), self.assertRaises(BatchError) as cm:
            read_sheet(ods())
        self.assertIn(ODS_MESSAGE, cm.exception.message)
        self.assertIn('.ods', cm.exception.message)
        with Transaction().set_user(hr.id), without_check_access():
            session_id, _, _ = Import.create()
            with self.assertRaises(BatchError) as cm:
                Import.execute(session_id, {'start': {
                            'file': ods(), 'filename': 'sheet.ods'}}, 'apply')
        self.assertIn(ODS_MESSAGE, cm.exception.message)
        self.assertEqual(line(case, 'insurance').state, 'pending')
        # Another OpenDocument (a text) is no sheet: the .xlsx answer.
        with acting(hr), self.assertRaises(BatchError) as cm:
            read_sheet(ods('application/vnd.oasis.opendocument.text'))
        self.assertNotIn(ODS_MESSAGE, cm.exception.message)

    @with_transaction()
    def test_summary_after_apply(self):
        "Applied, refused with its reason, unchanged and empty rows counted"
        Line = Pool().get('laisui.review.line')
        hr = department_reviewer('hr01', 'RS')
        with Transaction().set_context(_laisui_now=NOW):
            cases = [case_at_departments(n) for n in range(1, 5)]
            with acting(hr):
                data, count = export_lines(OPEN_LINES)
            self.assertEqual(count, 4)
            # Row 5 was applied by an earlier import of the same sheet.
            with acting(hr):
                apply_sheet(edit_sheet(data, {(5, DECISION): '确认'}))
            sheet = edit_sheet(data, {
                    (2, DECISION): '确认',
                    (3, DECISION): '调整', (3, POINTS): 3,
                    (5, DECISION): '确认',
                    })
            preview, result = self.run_import(hr, sheet)
        self.assertEqual(preview['apply_count'], 1)
        view = result['view']
        self.assertEqual(view['state'], 'result')
        summary = view['defaults']
        self.assertEqual((summary['applied'], summary['refused_count'],
                summary['unchanged']), (1, 1, 1))
        self.assertEqual(summary['summary'],
            "已应用1行，拒绝1行，未变更1行，未填决定1行。")
        refused, = summary['refused'].splitlines()
        self.assertTrue(refused.startswith('第3行：'), refused)
        self.assertIn('理由', refused)
        states = [Line(line(c, 'insurance').id).state for c in cases]
        self.assertEqual(states,
            ['confirmed', 'pending', 'pending', 'confirmed'])
