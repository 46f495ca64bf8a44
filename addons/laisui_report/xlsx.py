# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A report run as an XLSX file: its pivot and a native chart of it.

Cells go through laisui_base.spreadsheet (text stays text, never a
formula); the chart is an Excel chart over the pivot's cells, so the file
opens as the district's staff expect in Excel or LibreOffice. Every
download is audited.
"""
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.modules.laisui_base.spreadsheet import XLSXSheet
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import check_access

from .execution import COLUMNS

FIRST_ROW = 4  # title, parameters, blank line, then the header


class ExecutionXLSX(Report):
    __name__ = 'laisui.report.execution.xlsx'

    @classmethod
    def _execute(cls, records, header, data, action):
        pool = Pool()
        Execution = pool.get('laisui.report.execution')
        AuditLog = pool.get('laisui.audit.log')
        ids = [r.id for r in records]
        with check_access():
            if len(Execution.search([('id', 'in', ids)])) != len(set(ids)):
                raise AccessError(gettext('laisui_report.msg_run_forbidden'))
        execution, = records
        content = workbook(execution)
        AuditLog.log('export', resource=str(execution),
            detail=f'{execution.rec_name}: {len(execution.rows)} rows (XLSX)')
        return 'xlsx', content


def workbook(execution):
    "The XLSX bytes of a run"
    titles = [t for _, t in execution.titles()]
    sheet = XLSXSheet(gettext('laisui_report.msg_sheet_pivot'))
    bold = Font(bold=True)
    sheet.append([sheet.cell(execution.report.rec_name, font=bold)])
    sheet.append([parameters_text(execution)])
    sheet.append([])
    used = COLUMNS[:len(titles)]
    row_totals = execution.total is not None and execution.report.column
    total_label = gettext('laisui_report.msg_label_total')
    head = [execution.row_title or gettext('laisui_report.msg_label_all')]
    head += titles + ([total_label] if row_totals else [])
    sheet.append([sheet.cell(h, font=bold) for h in head])
    for row in execution.rows:
        values = [row.label] + [getattr(row, c) for c in used]
        sheet.append(values + ([row.total] if row_totals else []))
    if execution.total is not None:
        # Column totals: the measure adds up.
        sums = [sum(getattr(r, c) or 0 for r in execution.rows) for c in used]
        sheet.append([sheet.cell(total_label, font=bold)] + sums
            + ([execution.total] if row_totals else []))
    if execution.rows and titles:
        sheet.worksheet.add_chart(
            chart(execution, len(titles), sheet.worksheet),
            f'{get_column_letter(len(head) + 2)}{FIRST_ROW}')
    return sheet.getvalue()


def chart(execution, columns, worksheet):
    "The run's chart over the pivot's cells"
    kind = execution.report.chart
    last = FIRST_ROW + len(execution.rows)
    if kind == 'pie':
        result = PieChart()
        columns = 1
    elif kind == 'line':
        result = LineChart()
    else:
        result = BarChart()
        result.type = 'bar' if kind == 'hbar' else 'col'
    result.title = execution.report.rec_name
    data = Reference(worksheet, min_col=2, max_col=1 + columns,
        min_row=FIRST_ROW, max_row=last)
    labels = Reference(worksheet, min_col=1, min_row=FIRST_ROW + 1,
        max_row=last)
    result.add_data(data, titles_from_data=True)
    result.set_categories(labels)
    result.width, result.height = 24, 12
    return result


def parameters_text(execution):
    "The run's period and parameters in words"
    parts = []
    if execution.date_from or execution.date_to:
        parts.append(gettext('laisui_report.msg_period',
                date_from=execution.date_from or '…',
                date_to=execution.date_to or '…'))
    for record in [execution.street, execution.department, execution.round]:
        if record:
            parts.append(record.rec_name)
    parts.append(gettext('laisui_report.msg_measure',
            measure=execution.measure_title))
    return '；'.join(parts)

