# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Departments' own data tables (数据表单维护).

A department keeps a table whose columns are a published data form
(laisui_base form.py): rows are filled in sao (the answers in a Dict field
whose keys are the form's fields) or imported from CSV/XLSX, and every row
passes the same server validation as a portal submission. Rows are
records: searched as ('answers.<key>', '=', value), listed and exported
like any list. A department sees only its own tables and their rows
(record rules, security.xml).
"""
import datetime as dt
import re

from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.modules.laisui_base.exceptions import FormAnswersError
from trytond.modules.laisui_base.form_answers import FormAnswersMixin
from trytond.modules.laisui_base.form_engine import (
    answer_text, condition_holds, flat_answers)
from trytond.modules.laisui_base.spreadsheet import XLSXSheet
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import DataTableError, DataTableImportError
from .reader import open_table

MAX_IMPORT_ROWS = 10_000
# Kinds a table's cell cannot hold: a file, or rows inside a row.
NOT_IN_TABLES = {'file', 'table'}
# The errors an import lists, at most: enough to correct a file.
MAX_IMPORT_ERRORS = 20


class DataTable(DeactivableMixin, ModelSQL, ModelView):
    "Department data table (数据表单)"
    __name__ = 'laisui.data.table'

    name = fields.Char("Name", required=True)
    department = fields.Many2One('laisui.department', "Department",
        required=True, ondelete='RESTRICT')
    form = fields.Many2One('laisui.form', "Form", required=True,
        domain=[('state', '=', 'published')], ondelete='RESTRICT',
        states={'readonly': Bool(Eval('rows'))},
        help="The published data form whose fields are the columns.")
    rows = fields.One2Many('laisui.data.table.row', 'table', "Rows",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('name', 'ASC'), ('id', 'ASC')]
        cls._buttons.update({
                'open_rows': {},
                })

    @classmethod
    def validate_fields(cls, tables, field_names):
        super().validate_fields(tables, field_names)
        if field_names and 'form' not in field_names:
            return
        for table in tables:
            for field in table.form.fields:
                if field.type in NOT_IN_TABLES:
                    raise DataTableError(gettext(
                            'laisui_connectors.msg_data_table_field_type',
                            table=table.rec_name, field=field.label))

    @classmethod
    @ModelView.button_action('laisui_connectors.act_data_table_row')
    def open_rows(cls, tables):
        pass

    def import_rows(self, data):
        """Rows of a CSV/XLSX file (headers: the fields' keys or labels),
        all validated before any is stored: DataTableImportError lists the
        wrong rows by their number in the file, and nothing is stored"""
        pool = Pool()
        Row = pool.get('laisui.data.table.row')
        sheet = open_table(data, MAX_IMPORT_ROWS)
        definition = self.form.definition()
        columns = {}
        for spec in definition:
            columns[spec['name']] = columns[spec['label']] = spec
        for header in sheet.headers:
            if header and header not in columns:
                raise DataTableImportError(gettext(
                        'laisui_connectors.msg_data_table_column',
                        column=header[:40], table=self.rec_name))
        validator = self.form.validator()
        vlist, errors = [], []
        for number, cells in sheet.rows:
            answers = {}
            for header, cell in zip(sheet.headers, cells):
                if header and cell not in (None, ''):
                    spec = columns[header]
                    answers[spec['name']] = _cell(spec, cell)
            try:
                clean = validator.validate(answers)
            except FormAnswersError as e:
                errors.append(gettext(
                        'laisui_connectors.msg_data_table_row',
                        row=number, error='；'.join(e.errors.values())))
                if len(errors) >= MAX_IMPORT_ERRORS:
                    break
                continue
            vlist.append(Row.stored_values(self, clean))
        if errors:
            raise DataTableImportError('\n'.join(errors))
        with Transaction().set_context(_form_answers_checked=True):
            rows = Row.create(vlist)
        Pool().get('laisui.audit.log').log('create', resource=str(self),
            detail=f'import: {len(rows)} rows')
        return rows


    def export_xlsx(self):
        """The rows as an XLSX sheet, a column a field (labels as headers),
        ID and phone numbers masked as in every export; audited"""
        pool = Pool()
        Row = pool.get('laisui.data.table.row')
        AuditLog = pool.get('laisui.audit.log')
        definition = self.form.definition()
        sheet = XLSXSheet(self.name[:31])
        sheet.append([f['label'] for f in definition])
        rows = Row.search([('table', '=', self.id)], order=[('id', 'ASC')])
        for row in rows:
            answers = dict(row.answers or {})
            sheet.append([answer_text(f, answers[f['name']])
                    if f['name'] in answers
                    and condition_holds(f.get('condition'), answers)
                    else None for f in definition])
        AuditLog.log('export', resource=str(self),
            detail=f'xlsx: {len(rows)} rows')
        return sheet.getvalue()


def _cell(spec, cell):
    "A spreadsheet cell as the answers take it"
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, (int, float)):
        # A float to its shortest text: 6500.5, not 6500.499999...
        return repr(cell) if isinstance(cell, float) else str(cell)
    if spec['type'] == 'multiple' and isinstance(cell, str):
        return [v.strip() for v in re.split(r'[,，、;；]', cell) if v.strip()]
    return cell


class DataTableRow(FormAnswersMixin, ModelSQL, ModelView):
    "Department data table row"
    __name__ = 'laisui.data.table.row'

    table = fields.Many2One('laisui.data.table', "Table", required=True,
        ondelete='CASCADE', states={'readonly': Eval('id', -1) > 0})
    department = fields.Function(fields.Many2One('laisui.department',
            "Department"), 'get_department', searcher='search_department')
    answers = fields.Dict('laisui.form.field', "Answers",
        domain=[('form', '=', Eval('form', -1))])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('table', 'ASC'), ('id', 'ASC')]

    def get_rec_name(self, name):
        return f'{self.table.rec_name} #{self.id}'

    def get_department(self, name):
        return self.table.department.id

    @classmethod
    def search_department(cls, name, clause):
        return [('table.department',) + tuple(clause[1:])]

    @classmethod
    def default_form(cls):
        # The keys sao offers are the form's: known before the first edit.
        table = Transaction().context.get('default_table')
        if isinstance(table, int) and table > 0:
            Table = Pool().get('laisui.data.table')
            tables = Table.search([('id', '=', table)])
            return tables[0].form.id if tables else None

    @fields.depends('table', '_parent_table.form')
    def on_change_table(self):
        self.form = self.table.form if self.table else None

    @classmethod
    def stored_values(cls, table, clean, values=None):
        "The values of a row of table with the clean answers"
        definition = table.form.validator().definition
        return dict(values or {}, table=table.id, form=table.form.id,
            answers=flat_answers(definition, clean),
            answers_definition={'code': table.form.code,
                'version': table.form.version, 'fields': definition})

    @classmethod
    def _checked(cls, table, values):
        answers = values.get('answers') or {}
        return cls.stored_values(
            table, table.form.validate_answers(dict(answers)), values)

    @classmethod
    def create(cls, vlist):
        Table = Pool().get('laisui.data.table')
        if not Transaction().context.get('_form_answers_checked'):
            vlist = [cls._checked(Table(v['table']), v) for v in vlist]
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        checked = []
        trusted = Transaction().context.get('_form_answers_checked')
        for records, values in zip(actions, actions):
            if 'answers' not in values or trusted:
                checked.extend([records, values])
                continue
            values = {k: v for k, v in values.items()
                if k not in {'table', 'form', 'answers_definition'}}
            for record in records:
                checked.extend([[record], cls._checked(record.table, values)])
        super().write(*checked)


class DataTableExportResult(ModelView):
    "Exported Data Table"
    __name__ = 'laisui.data.table.export.result'

    file = fields.Binary("File", filename='filename', readonly=True)
    filename = fields.Char("File Name", readonly=True)


class DataTableExport(Wizard):
    "Export Data Table"
    __name__ = 'laisui.data.table.export'

    start_state = 'result'
    result = StateView('laisui.data.table.export.result',
        'laisui_connectors.data_table_export_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_result(self, fields):
        table = self.record
        return {
            'file': table.export_xlsx(),
            'filename': f'data-table-{table.id}.xlsx',
            }


class DataTableImportStart(ModelView):
    "Import Data Table Rows"
    __name__ = 'laisui.data.table.import.start'

    table = fields.Many2One('laisui.data.table', "Table", required=True)
    data = fields.Binary("File", required=True, filename='filename',
        help="CSV (UTF-8 or GBK) or XLSX; the first row holds the fields' "
        "keys or labels.")
    filename = fields.Char("File Name")


class DataTableImport(Wizard):
    "Import Data Table Rows"
    __name__ = 'laisui.data.table.import'

    start = StateView('laisui.data.table.import.start',
        'laisui_connectors.data_table_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()

    def default_start(self, fields):
        if self.model and self.model.__name__ == 'laisui.data.table':
            return {'table': self.record.id}
        return {}

    def transition_import_(self):
        self.start.table.import_rows(bytes(self.start.data))
        return 'end'

    def end(self):
        return 'reload'
