# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Files departments send: clean, validate, load, idempotence and every
bad input the issue names."""
import datetime as dt
import io
import zipfile
from unittest.mock import patch

import openpyxl

from trytond.model.exceptions import AccessError
from trytond.modules.laisui_base.tests.formulas import (
    FORMULAS, csv_rows, stored_formulas)
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase, staff
from trytond.modules.laisui_connectors.exceptions import DuplicateFileError
from trytond.modules.laisui_points.tests.tools import make_applicant
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import (
    dataset, id_number, load, property_rows, records, to_csv)

CODE = 'housing_property'
HEADERS = ['身份证号码', '姓名', '不动产权证号', '坐落', '登记日期']


def xlsx(rows, headers=HEADERS, formula=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    if formula:
        sheet[formula] = '=1+1'
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def sheet_xml(rows, dimension=None):
    cells = ''.join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>{v}</t></is></c></row>'
        for i, v in enumerate(rows, 1))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ''
    return ('<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main">{dim}<sheetData>{cells}</sheetData>'
        '</worksheet>')


def patch_xlsx(data, name, content, compress=zipfile.ZIP_DEFLATED):
    "The workbook with one part replaced or added"
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, 'w', compress) as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item.filename))
        target.writestr(name, content)
    return output.getvalue()


class FileLoadTestCase(ActivatedTestCase):
    "Loading department files"
    modules = ['laisui_connectors']

    def assertFailed(self, run, text):
        self.assertEqual(run.state, 'failed', run.error)
        self.assertIn(text, run.error)
        self.assertEqual(records(CODE), [])

    @with_transaction()
    def test_clean_validate_load_link(self):
        "Mixed dates, full-width digits, a bad checksum, linking, streets"
        applicant = make_applicant(id_number=id_number(1))
        rows = property_rows(4)
        rows[1]['登记日期'] = '2016年3月5日'
        rows[2]['登记日期'] = '20170809'
        rows[2]['身份证号码'] = rows[2]['身份证号码'].translate(
            str.maketrans('0123456789', '０１２３４５６７８９'))
        bad = dict(rows[3], 身份证号码=rows[3]['身份证号码'][:-1] + (
                '1' if rows[3]['身份证号码'][-1] != '1' else '2'))
        rows[3] = bad
        run = load(CODE, to_csv(rows))
        self.assertEqual(run.state, 'done', run.error)
        self.assertEqual((run.rows_read, run.inserted, run.rejected,
                run.linked), (4, 3, 1, 1))
        self.assertEqual(run.encoding, 'utf-8')
        reject, = run.rejects
        self.assertEqual(reject.row_number, 5)
        self.assertIn('校验位错误', reject.reason)
        self.assertIn('********', reject.raw)
        self.assertNotIn(bad['身份证号码'], reject.raw)

        loaded = records(CODE)
        self.assertEqual([r.date_from for r in loaded], [
                dt.date(2015, 1, 1), dt.date(2016, 3, 5),
                dt.date(2017, 8, 9)])
        self.assertEqual(loaded[2].id_number, id_number(2))
        self.assertEqual(loaded[0].street.name, '北京街道')
        self.assertEqual(loaded[0].district.code, '440104')
        self.assertEqual(loaded[1].applicant, applicant)
        # Downloaded from the run (an audited export)
        pool = Pool()
        Download = pool.get('laisui.connector.run.rejects', type='wizard')
        AuditLog = pool.get('laisui.audit.log')
        admin = staff('dadmin', 'group_district_admin')
        with Transaction().set_user(admin.id), \
                Transaction().set_context(_check_access=True,
                    active_model='laisui.connector.run',
                    active_id=run.id, active_ids=[run.id]):
            session_id, _, _ = Download.create()
            result = Download.execute(session_id, {}, 'result')
        values = result['view']['defaults']
        self.assertEqual(values['filename'],
            f'rejects-{CODE}-{run.id}.csv')
        csv_text = bytes(values['file']).decode('utf-8')
        self.assertTrue(csv_text.startswith('\ufeff行号,原因'))
        self.assertIn('校验位错误', csv_text)
        self.assertNotIn(bad['身份证号码'], csv_text)
        self.assertEqual(len(AuditLog.search([('action', '=', 'export'),
                        ('resource', '=', str(run))])), 1)
        # A window clerk has no access to runs, nor to their rejects.
        clerk = staff('clerk', 'group_window_clerk')
        with Transaction().set_user(clerk.id), \
                Transaction().set_context(_check_access=True,
                    active_model='laisui.connector.run',
                    active_id=run.id, active_ids=[run.id]), \
                self.assertRaises(AccessError):
            session_id, _, _ = Download.create()
            Download.execute(session_id, {}, 'result')
        self.assertEqual(len(AuditLog.search([('action', '=', 'export'),
                        ('resource', '=', str(run))])), 1)

    @with_transaction()
    def test_rejects_csv_formulas_as_text(self):
        "Rejected values and reasons that look like formulas are quoted"
        pool = Pool()
        Run = pool.get('laisui.connector.run')
        Reject = pool.get('laisui.connector.run.reject')
        rows = property_rows(len(FORMULAS) + 1)
        for row, text in zip(rows[1:], FORMULAS):
            row['身份证号码'] = text
        run = load(CODE, to_csv(rows))
        self.assertEqual((run.inserted, run.rejected),
            (1, len(FORMULAS)), run.error)
        loaded = {r.row_number: r.raw for r in run.rejects}
        # As the pipeline writes them, unstripped.
        texts = stored_formulas()
        Reject.create_many(run, [(1000 + n, text, text)
                for n, text in enumerate(texts)])
        header, *lines = csv_rows(Run(run.id).rejects_csv())
        self.assertEqual(len(lines), len(FORMULAS) + len(texts))
        for number, reason, raw in lines[:len(FORMULAS)]:
            self.assertIn('身份证号码', reason)
            self.assertEqual(raw, "'" + loaded[int(number)])
        for text, (_, reason, raw) in zip(texts, lines[len(FORMULAS):]):
            with self.subTest(text=text):
                self.assertEqual((reason, raw), ("'" + text, "'" + text))

    @with_transaction()
    def test_same_file_twice_and_idempotence(self):
        rows = property_rows(20)
        first = load(CODE, to_csv(rows))
        self.assertEqual(first.inserted, 20)
        with self.assertRaises(DuplicateFileError) as cm:
            load(CODE, to_csv(rows))
        self.assertIn('已由批次', cm.exception.message)
        # The same rows in another file (order, encoding) change nothing.
        again = load(CODE, to_csv(list(reversed(rows)), encoding='gb18030'))
        self.assertEqual(again.encoding, 'gb18030')
        self.assertEqual((again.inserted, again.updated, again.unchanged),
            (0, 0, 20))
        # One changed date: one update.
        rows[5]['登记日期'] = '2018-01-01'
        changed = load(CODE, to_csv(rows))
        self.assertEqual((changed.inserted, changed.updated,
                changed.unchanged), (0, 1, 19))
        self.assertEqual(len(records(CODE)), 20)

    @with_transaction()
    def test_deleting_a_run_or_dataset(self):
        "Records keep no database foreign key; delete() still applies ondelete"
        pool = Pool()
        Run = pool.get('laisui.connector.run')
        Dataset = pool.get('laisui.connector.dataset')
        run = load(CODE, to_csv(property_rows(3)))
        Run.delete([run])
        loaded = records(CODE)
        self.assertEqual([r.run for r in loaded], [None] * 3)
        self.assertEqual(loaded[0].street.name, '北京街道')
        Dataset.delete([dataset(CODE)])
        Record = pool.get('laisui.connector.record')
        self.assertEqual(Record.search([('id', 'in', [r.id for r in loaded])]),
            [])

    @with_transaction()
    def test_duplicates_and_contradictions_in_one_file(self):
        rows = property_rows(3)
        rows.append(dict(rows[0]))
        rows.append(dict(rows[1], 登记日期='2001-01-01'))
        run = load(CODE, to_csv(rows))
        self.assertEqual(run.state, 'done', run.error)
        self.assertEqual((run.inserted, run.duplicates, run.rejected),
            (2, 1, 2))
        self.assertEqual({r.row_number for r in run.rejects}, {3, 6})
        self.assertIn('互相矛盾', run.rejects[0].reason)

    @with_transaction()
    def test_repeats_across_chunks(self):
        "Chunks insert their new keys at once; finish() still judges repeats"
        rows = property_rows(6)
        first = load(CODE, to_csv(rows[:1]))
        self.assertEqual(first.inserted, 1)
        rows += [
            dict(rows[2]),  # identical repeat, a chunk later
            dict(rows[3], 登记日期='2001-01-01'),  # contradicts an insert
            dict(rows[0], 登记日期='2002-02-02'),  # contradicts a record
            ]
        rows[0]['登记日期'] = '2003-03-03'
        with patch('trytond.modules.laisui_connectors.pipeline.CHUNK', 2):
            run = load(CODE, to_csv(rows))
        self.assertEqual(run.state, 'done', run.error)
        self.assertEqual((run.rows_read, run.inserted, run.updated,
                run.unchanged, run.duplicates, run.rejected),
            (9, 4, 0, 0, 1, 4))
        self.assertEqual(sorted(r.row_number for r in run.rejects),
            [2, 5, 9, 10])
        loaded = {r.reference: r for r in records(CODE)}
        self.assertEqual(sorted(loaded), sorted(
                rows[n]['不动产权证号'] for n in [0, 1, 2, 4, 5]))
        # The record the contradiction concerned is as it was.
        self.assertEqual(loaded[rows[0]['不动产权证号']].date_from,
            dt.date(2015, 1, 1))
        self.assertEqual(loaded[rows[0]['不动产权证号']].run, first)

    @with_transaction()
    def test_gbk_and_unknown_encoding(self):
        run = load(CODE, to_csv(property_rows(2), encoding='gbk'))
        self.assertEqual((run.state, run.encoding, run.inserted),
            ('done', 'gb18030', 2))
        # Bytes that are neither UTF-8 nor GBK.
        garbage = b'\xff\xfe\x81\x20' * 10
        run = load(CODE, garbage, 'x.csv')
        self.assertEqual(run.state, 'failed')
        self.assertIn('UTF-8', run.error)
        self.assertEqual(len(records(CODE)), 2)

    @with_transaction()
    def test_wrong_headers_and_empty(self):
        data = to_csv(property_rows(2), headers=['证件号', '姓名', '坐落'])
        run = load(CODE, data)
        self.assertFailed(run, '缺少必需的列')
        self.assertIn('身份证号码', run.error)
        self.assertFailed(load(CODE, xlsx([]), 'empty.xlsx'), '没有数据')
        self.assertFailed(load(CODE, b'', 'empty.csv'), '没有数据')

    @with_transaction()
    def test_xlsx_values_and_formulas(self):
        rows = property_rows(3)
        rows[0]['登记日期'] = dt.datetime(2019, 5, 6)
        run = load(CODE, xlsx(rows, formula='E3'), 'data.xlsx')
        self.assertEqual(run.state, 'done', run.error)
        self.assertEqual((run.inserted, run.rejected), (2, 1))
        self.assertIn('E3 含公式', run.rejects[0].reason)
        self.assertEqual(records(CODE)[0].date_from, dt.date(2019, 5, 6))

    @with_transaction()
    def test_reasons_in_database_language(self):
        "Launched from an English session, the run keeps zh_CN reasons"
        rows = property_rows(2)
        rows[1]['登记日期'] = '下周一'
        with Transaction().set_context(language='en'):
            run = load(CODE, to_csv(rows))
        self.assertEqual(run.rejects[0].reason, '登记日期：日期“下周一”无法识别')

    @with_transaction()
    def test_legacy_xls(self):
        "An Excel 97-2003 workbook: date cells, text dates, a bad ID"
        import xlwt
        rows = property_rows(3)
        rows[0]['登记日期'] = dt.date(2019, 5, 6)
        rows[1]['身份证号码'] = rows[1]['身份证号码'][:-1] + (
            '0' if rows[1]['身份证号码'][-1] != '0' else '1')
        book = xlwt.Workbook(encoding='utf-8')
        sheet = book.add_sheet('不动产')
        date_style = xlwt.easyxf(num_format_str='yyyy-mm-dd')
        for column, header in enumerate(rows[0]):
            sheet.write(0, column, header)
        for line, row in enumerate(rows, 1):
            for column, value in enumerate(row.values()):
                if isinstance(value, dt.date):
                    sheet.write(line, column, value, date_style)
                else:
                    sheet.write(line, column, value)
        buffer = io.BytesIO()
        book.save(buffer)

        run = load(CODE, buffer.getvalue(), 'data.xls')
        self.assertEqual(run.state, 'done', run.error)
        self.assertEqual((run.rows_read, run.inserted, run.rejected),
            (3, 2, 1))
        self.assertEqual(run.rejects[0].row_number, 3)
        self.assertIn('校验位错误', run.rejects[0].reason)
        self.assertEqual(sorted(r.date_from for r in records(CODE)),
            [dt.date(2015, 3, 3), dt.date(2019, 5, 6)])

    @with_transaction()
    def test_xlsx_entity_bomb(self):
        bomb = ('<?xml version="1.0"?><!DOCTYPE lolz ['
            '<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            + sheet_xml(['&lol2;'])[len('<?xml version="1.0" '
                    'encoding="UTF-8"?>'):])
        data = patch_xlsx(xlsx(property_rows(1)),
            'xl/worksheets/sheet1.xml', bomb)
        self.assertFailed(load(CODE, data, 'bomb.xlsx'), 'DTD')

    @with_transaction()
    def test_zip_bomb(self):
        data = patch_xlsx(xlsx(property_rows(1)), 'xl/media/padding.bin',
            b'A' * (60 * 1024 * 1024))
        self.assertLess(len(data), 1024 * 1024)
        self.assertFailed(load(CODE, data, 'zip.xlsx'), '异常')

    @with_transaction()
    def test_million_row_sheet_refused_before_reading(self):
        "A sheet that declares 1,000,000 rows is refused from its dimension"
        rows = ['身份证号码'] + ['1'] * 1_000_000
        data = patch_xlsx(xlsx([]), 'xl/worksheets/sheet1.xml',
            sheet_xml(rows, dimension='A1:A1000001'))
        run = load(CODE, data, 'big.xlsx')
        self.assertFailed(run, '500000')

    @with_transaction()
    def test_rows_beyond_limit_while_streaming(self):
        "Without a dimension the limit stops the stream, loading nothing"
        Dataset = Pool().get('laisui.connector.dataset')
        from .tools import dataset
        housing = dataset(CODE)
        Dataset.write([housing], {'max_rows': 50})
        run = load(CODE, to_csv(property_rows(60)))
        self.assertFailed(run, '超过 50 行')
