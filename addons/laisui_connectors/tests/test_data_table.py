# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Departments' data tables (数据表单维护): rows validated as portal
answers are, imports all or nothing, each department its own tables."""
import datetime as dt
import io

import openpyxl

from trytond.model.exceptions import AccessError
from trytond.modules.laisui_base.exceptions import FormAnswersError
from trytond.modules.laisui_base.tests.clamd import ClamdMixin
from trytond.modules.laisui_base.tests.forms import (
    HOUSEHOLD, MATERIALS, household_answers, make_form)
from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, acting, png_bytes, staff)
from trytond.modules.laisui_connectors.exceptions import (
    DataTableError, DataTableImportError)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

# The household form without its table of children: cells only.
FLAT = HOUSEHOLD[:11]
HEADERS = ['姓名', 'id_number', '手机号码', '来穗日期', '家庭人数', '婚姻状况',
    '现居住地址']
GOOD = [
    ['李红', '440104199001011232', '13800138000', '2015-03-01', '3',
        'single', '洪桥街道解放北路 1 号'],
    ['王强', '440106198506150025', '139 0013 9000', '2016-05-20', '1',
        'divorced', '北京街道西湖路 2 号'],
    ]


def csv_file(rows, headers=HEADERS):
    lines = [','.join(headers)] + [','.join(r) for r in rows]
    return ('\n'.join(lines) + '\n').encode('utf-8')


def household_row(**changes):
    "Answers of the FLAT form"
    answers = household_answers(**changes)
    answers.pop('children', None)
    return answers


class DataTableTestCase(ClamdMixin, ActivatedTestCase):
    "Department data tables"
    modules = ['laisui_connectors']

    def setup_tables(self):
        pool = Pool()
        Department = pool.get('laisui.department')
        Table = pool.get('laisui.data.table')
        housing, labour = Department.create([
                {'name': '住建', 'code': 'T-HOUSING'},
                {'name': '人社', 'code': 'T-LABOUR'},
                ])
        form = make_form('flat', FLAT)
        mine, theirs = Table.create([
                {'name': '住房台账', 'department': housing.id,
                    'form': form.id},
                {'name': '就业台账', 'department': labour.id,
                    'form': form.id},
                ])
        user = staff('housing_clerk', 'group_department_reviewer')
        Department.write([housing], {'members': [('add', [user.id])]})
        return user, mine, theirs

    @with_transaction()
    def test_rows_validated(self):
        "Rows pass the form's validation; bad ones store nothing"
        pool = Pool()
        Row = pool.get('laisui.data.table.row')
        user, mine, _ = self.setup_tables()
        with acting(user):
            with self.assertRaises(FormAnswersError) as cm:
                Row.create([{'table': mine.id,
                            'answers': household_row(household=11)}])
            self.assertEqual(cm.exception.message,
                '“家庭人数”不能大于 10。')
            self.assertEqual(Row.search_count([]), 0)
            row, = Row.create([{'table': mine.id, 'answers': household_row(
                            phone='138 0013 8000')}])
            self.assertEqual(row.form, mine.form)
            self.assertEqual(row.answers['phone'], '13800138000')
            self.assertEqual(row.answers['address'], '洪桥街道解放北路 1 号')
            with self.assertRaises(FormAnswersError) as cm:
                Row.write([row], {'answers': dict(row.answers,
                            marital='single')})
            self.assertEqual(cm.exception.message,
                '“配偶姓名”仅当“婚姻状况”为“已婚”时填写，请留空。\n'
                '“配偶是否就业”仅当“婚姻状况”为“已婚”时填写，请留空。\n'
                '“配偶工作单位”仅当“配偶是否就业”为“是”时填写，请留空。')
            self.assertEqual(Row(row.id).answers['marital'], 'married')
            # Searchable by any answer, as a list is.
            self.assertEqual(Row.search([('answers.household', '=', 3)]),
                [row])
            self.assertEqual(Row.search([('answers.household', '=', 4)]),
                [])

    @with_transaction()
    def test_no_files_in_cells(self):
        "A table's form holds no files nor tables of rows"
        pool = Pool()
        Table = pool.get('laisui.data.table')
        user, mine, _ = self.setup_tables()
        form = make_form('household', HOUSEHOLD)
        with self.assertRaises(DataTableError) as cm:
            Table.write([mine], {'form': form.id})
        self.assertEqual(cm.exception.message, '数据表“住房台账”不能包含'
            '填写项“随迁子女”：文件和表格不能放在单元格中。')

    @with_transaction()
    def test_department_rule(self):
        "A department sees only its own tables and their rows"
        pool = Pool()
        Table = pool.get('laisui.data.table')
        Row = pool.get('laisui.data.table.row')
        user, mine, theirs = self.setup_tables()
        ours, = Row.create([{'table': mine.id, 'answers': household_row()}])
        other, = Row.create([{'table': theirs.id,
                    'answers': household_row()}])
        with acting(user):
            self.assertEqual(Table.search([]), [mine])
            self.assertEqual(Row.search([]), [ours])
            self.assertEqual(
                Row.search([('department', '=', theirs.department.id)]), [])
            with self.assertRaises(AccessError):
                Row.read([other.id], ['answers'])
        admin = staff('district_admin', 'group_district_admin')
        with acting(admin):
            self.assertEqual(len(Row.search([])), 2)
        with acting(user):
            # Refused (the RPC call's transaction is rolled back).
            with self.assertRaises(AccessError):
                Row.create([{'table': theirs.id,
                            'answers': household_row()}])

    @with_transaction()
    def test_import_all_or_nothing(self):
        "An import with a bad row stores no row and says which row"
        pool = Pool()
        Row = pool.get('laisui.data.table.row')
        user, mine, _ = self.setup_tables()
        bad = GOOD + [['赵六', '440104199001011233', '13800138000',
                '2015-03-01', '2', 'single', '洪桥街道解放北路 1 号'],
            ['钱七', '440104199001011232', '13800138000', '1999-12-31',
                '2', 'single', '石牌街道 1 号']]
        with acting(user):
            with self.assertRaises(DataTableImportError) as cm:
                mine.import_rows(csv_file(bad))
            self.assertEqual(cm.exception.message,
                '第 4 行：“身份证号码”：身份证号码校验位错误，请核对后重新输入。\n'
                '第 5 行：“来穗日期”不能早于 2000-01-01。；'
                '“现居住地址”请选择越秀区的街道。')
            self.assertEqual(Row.search_count([]), 0)
            with self.assertRaises(DataTableImportError) as cm:
                mine.import_rows(csv_file(GOOD, HEADERS[:-1] + ['备注']))
            self.assertEqual(cm.exception.message,
                '列“备注”不是数据表“住房台账”的填写项（键或标题）。')
            rows = mine.import_rows(csv_file(GOOD))
            self.assertEqual(len(rows), 2)
            self.assertEqual(Row.search([('answers.phone', '=',
                            '13900139000')]), [rows[1]])
            self.assertEqual(rows[0].answers['arrival'], dt.date(2015, 3, 1))

    @with_transaction()
    def test_import_xlsx(self):
        "XLSX cells keep their types: dates and numbers"
        user, mine, _ = self.setup_tables()
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(HEADERS)
        sheet.append(['李红', '440104199001011232', '13800138000',
                dt.datetime(2015, 3, 1), 3, 'single', '洪桥街道解放北路 1 号'])
        output = io.BytesIO()
        workbook.save(output)
        with acting(user):
            row, = mine.import_rows(output.getvalue())
        self.assertEqual(row.answers['arrival'], dt.date(2015, 3, 1))
        self.assertEqual(row.answers['household'], 3)

    @with_transaction()
    def test_store_answers(self):
        "Answers stored with their definition; bad ones store nothing"
        pool = Pool()
        File = pool.get('laisui.form.file')
        Form = pool.get('laisui.form')
        Row = pool.get('laisui.data.table.row')
        _, mine, _ = self.setup_tables()
        form = make_form('materials', MATERIALS)
        document, = Row.create([{'table': mine.id,
                    'answers': household_row()}])
        with self.assertRaises(FormAnswersError):
            Row.store_answers(document, form, {'permit_no': 'GZ1234',
                    'skills': ['drive'], 'licence': b'%PDF- not really'})
        self.assertEqual(Row(document.id).answers['full_name'], '李红')
        self.assertEqual(File.search_count([]), 0)
        Row.store_answers(document, form, {'permit_no': 'GZ1234',
                'skills': ['drive'], 'licence': png_bytes()})
        document = Row(document.id)
        file, = File.search([])
        self.assertEqual(document.answers['licence'], {'id': file.id,
                'mime': 'image/png', 'filename': file.filename})
        self.assertEqual(file.data, File(file.id).data)
        self.assertEqual(File.of_document(document, file.id), file)
        self.assertIsNone(File.of_document(mine, file.id))
        self.assertEqual(document.answers_definition['version'], 1)
        # The answers stay readable as given after a new version.
        Form.new_version([form])
        self.assertEqual(document.answer_rows(), [
                ('居住证编号', 'GZ1234'), ('技能', '驾驶'),
                ('驾驶证', file.filename)])
        with self.assertRaises(FormAnswersError) as cm:
            Row.store_answers(document, form, {'permit_no': 'GZ1234',
                    'skills': ['cook'], 'licence': png_bytes()})
        self.assertEqual(cm.exception.errors, {'licence':
                '“驾驶证”仅当“技能”为“驾驶”、“护理”之一时填写，请留空。'})

    @with_transaction()
    def test_export_xlsx(self):
        "The export: a column a field, numbers masked, audited"
        pool = Pool()
        AuditLog = pool.get('laisui.audit.log')
        user, mine, _ = self.setup_tables()
        with acting(user):
            mine.import_rows(csv_file(GOOD))
            data = mine.export_xlsx()
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        self.assertEqual(rows[0][:7], ['姓名', '身份证号码', '手机号码', '来穗日期',
                '家庭人数', '月收入', '婚姻状况'])
        self.assertEqual(rows[1], ['李红', '440104********1232', '138****8000',
                '2015-03-01', '3', None, '未婚', None, None, None,
                '广州市越秀区洪桥街道解放北路 1 号'])
        self.assertEqual(len(rows), 3)
        self.assertEqual(AuditLog.search_count([('action', '=', 'export'),
                    ('resource', '=', str(mine))]), 1)
