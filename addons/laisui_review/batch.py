# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Batch review (批量审核) by an Excel round trip.

Export writes the open lines a person may see to one sheet: identity and
declaration columns locked, a decision drop-down, points and reason
columns, and hidden columns with the line id, its version and an HMAC of
both. Import reads the sheet back (zip and XML checks of the connectors'
reader), shows what would change, and applies the valid rows in one
transaction through Line.decide, which audits each row. A row whose
signature is wrong, whose locked columns were edited or whose line was
decided since the export is refused with its reason. A row already
applied is unchanged, so importing a file twice changes nothing.
"""
import hashlib
import hmac
from collections import namedtuple
from decimal import Decimal, InvalidOperation

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.laisui_base.spreadsheet import XLSXSheet
from trytond.modules.laisui_connectors.exceptions import FileFormatError
from trytond.modules.laisui_connectors.reader import XLSX_MAGIC, open_table
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .configuration import min_reason_length
from .exceptions import BatchError

MAX_ROWS = 100_000
# The lines a batch sheet is for: waiting for their department.
OPEN_LINES = [('state', '=', 'pending'), ('case.state', '=', 'open'),
    ('case.stage.kind', '=', 'department')]
# (header, width, locked); the first three columns are hidden.
COLUMNS = [
    ('行号', 10, True),
    ('版本', 6, True),
    ('签名', 34, True),
    ('案件编号', 10, True),
    ('申请人', 10, True),
    ('身份证号', 20, True),
    ('指标', 24, True),
    ('职能部门', 16, True),
    ('申报分值', 10, True),
    ('比对结果', 12, True),
    ('外部数据依据', 40, True),
    ('审核决定', 12, False),
    ('调整分值', 10, False),
    ('理由', 40, False),
    ]
HEADERS = [c[0] for c in COLUMNS]
HIDDEN = 3
DECISION, POINTS, REASON = 11, 12, 13
DECISION_LABELS = {'确认': 'confirm', '调整': 'adjust', '需补正': 'correction'}
STATE_OF = {'confirm': 'confirmed', 'adjust': 'adjusted',
    'correction': 'correction'}

Row = namedtuple('Row', ['number', 'line', 'decision', 'points', 'reason',
        'version'])


def _key():
    return Pool().get('laisui.review.configuration').get_batch_key()


def signature(line_id, version, key):
    return hmac.new(key, f'{line_id}:{version}'.encode(),
        hashlib.sha256).hexdigest()[:32]


# What the locked columns after the signature are made of, read in one go.
_READ = ['version', 'state', 'points', 'case', 'case.state',
    'case.applicant.name', 'case.applicant.id_number_masked', 'indicator.name',
    'department.name', 'declared_points', 'comparison', 'evidence']


Sheetline = namedtuple('Sheetline', ['id', 'version', 'state', 'points',
        'case_state', 'locked'])


def read_lines(line_ids):
    "Line id → the values of the sheet's columns (with access rights)"
    Line = Pool().get('laisui.review.line')
    comparisons = dict(Line.fields_get(['comparison'])['comparison'][
            'selection'])
    result = {}
    for row in Line.read(list(line_ids), _READ):
        case = row['case.']
        applicant = case['applicant.']
        result[row['id']] = Sheetline(row['id'], row['version'],
            row['state'], row['points'], case['state'], [
                str(row['case']), applicant['name'],
                applicant['id_number_masked'],
                row['indicator.']['name'],
                (row['department.'] or {}).get('name', ''),
                _number(row['declared_points']),
                comparisons[row['comparison']], row['evidence'] or ''])
    return result


def _number(value):
    return '' if value is None else f'{Decimal(value):.2f}'


class ExportStart(ModelView):
    "Export Lines for Batch Review"
    __name__ = 'laisui.review.batch.export.start'

    department = fields.Many2One('laisui.department', "Department",
        help="Empty for every department you may see.")
    stage = fields.Many2One('laisui.review.stage', "Stage",
        help="Only cases at this stage; empty for any.")


class ExportResult(ModelView):
    "Batch Review Sheet"
    __name__ = 'laisui.review.batch.export.result'

    file = fields.Binary("File", filename='filename', readonly=True)
    filename = fields.Char("File Name", readonly=True)
    count = fields.Integer("Lines", readonly=True)


class Export(Wizard):
    "Export Lines for Batch Review"
    __name__ = 'laisui.review.batch.export'

    start = StateView('laisui.review.batch.export.start',
        'laisui_review.batch_export_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'result', 'tryton-ok', default=True),
            ])
    result = StateView('laisui.review.batch.export.result',
        'laisui_review.batch_export_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    # Wizards run without access checks: the sheets are the person's.
    @check_access
    def default_result(self, fields):
        AuditLog = Pool().get('laisui.audit.log')
        domain = OPEN_LINES[:]
        if self.start.department:
            domain.append(('department', '=', self.start.department.id))
        if self.start.stage:
            domain.append(('case.stage', '=', self.start.stage.id))
        data, count = export_lines(domain)
        AuditLog.log('export', resource='laisui.review.line',
            detail=f'批量审核表 {count} 行：'
            f'{self.start.department.name if self.start.department else "全部部门"}')
        return {
            'file': data,
            'filename': 'batch-review.xlsx',
            'count': count,
            }


def export_lines(domain):
    "The XLSX sheet of the lines in `domain` readable by the user; count"
    from openpyxl.styles import Font, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    Line = Pool().get('laisui.review.line')
    line_ids = [l.id for l in Line.search(domain, order=[('case', 'ASC'),
                ('sequence', 'ASC'), ('id', 'ASC')])]
    lines = read_lines(line_ids)
    output = XLSXSheet('批量审核')
    sheet = output.worksheet
    for index, (_, width, _) in enumerate(COLUMNS, 1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        if index <= HIDDEN:
            sheet.column_dimensions[letter].hidden = True
    sheet.freeze_panes = 'E2'
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    choices = DataValidation(type='list',
        formula1='"%s"' % ','.join(DECISION_LABELS), allow_blank=True,
        showErrorMessage=True, errorTitle='审核决定',
        error='请从下拉列表中选择：确认、调整或需补正')
    choices.add(f'{get_column_letter(DECISION + 1)}2:'
        f'{get_column_letter(DECISION + 1)}{len(lines) + 1}')
    sheet.data_validations.append(choices)
    output.append(HEADERS, font=Font(bold=True))
    unlocked = Protection(locked=False)
    key = _key()
    for line_id in line_ids:
        line = lines[line_id]
        values = [line.id, line.version, signature(line.id, line.version, key),
            *line.locked, None, None, None]
        # Typed text (evidence, names) is stored as text, never a formula.
        output.append([output.cell(value) if COLUMNS[index][2]
                else output.cell(value, protection=unlocked)
                for index, value in enumerate(values)])
    return output.getvalue(), len(lines)


class ImportStart(ModelView):
    "Import Batch Review Sheet"
    __name__ = 'laisui.review.batch.import.start'

    file = fields.Binary("File", required=True, filename='filename')
    filename = fields.Char("File Name")


class ImportPreview(ModelView):
    "Batch Review Preview"
    __name__ = 'laisui.review.batch.import.preview'

    summary = fields.Char("Summary", readonly=True)
    changes = fields.Text("Changes", readonly=True)
    refused = fields.Text("Refused Rows", readonly=True)
    apply_count = fields.Integer("Rows to Apply", readonly=True)


class ImportResult(ModelView):
    "Batch Review Applied"
    __name__ = 'laisui.review.batch.import.result'

    summary = fields.Char("Summary", readonly=True)
    applied = fields.Integer("Applied", readonly=True)
    refused_count = fields.Integer("Refused", readonly=True)
    unchanged = fields.Integer("Unchanged", readonly=True)
    refused = fields.Text("Refused Rows", readonly=True)


class Import(Wizard):
    "Import Batch Review Sheet"
    __name__ = 'laisui.review.batch.import'

    start = StateView('laisui.review.batch.import.start',
        'laisui_review.batch_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Preview", 'preview', 'tryton-forward', default=True),
            ])
    preview = StateView('laisui.review.batch.import.preview',
        'laisui_review.batch_import_preview_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Apply", 'apply', 'tryton-ok', default=True,
                states={'readonly': ~Eval('apply_count', 0)}),
            ])
    apply = StateTransition()
    # What was done, row by row, instead of closing silently.
    result = StateView('laisui.review.batch.import.result',
        'laisui_review.batch_import_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    @check_access
    def default_preview(self, fields):
        plan = read_sheet(self.start.file)
        return {
            'summary': gettext('laisui_review.msg_batch_summary',
                apply=len(plan.apply), unchanged=plan.unchanged,
                refused=len(plan.refused), empty=plan.empty),
            'changes': '\n'.join(plan.describe()),
            'refused': plan.describe_refused(),
            'apply_count': len(plan.apply),
            }

    @check_access
    def transition_apply(self):
        plan = apply_sheet(self.start.file)
        self.result.applied = len(plan.apply)
        self.result.refused_count = len(plan.refused)
        self.result.unchanged = plan.unchanged
        self.result.refused = plan.describe_refused()
        self.result.summary = gettext('laisui_review.msg_batch_applied',
            applied=len(plan.apply), refused=len(plan.refused),
            unchanged=plan.unchanged, empty=plan.empty)
        return 'result'

    def default_result(self, fields):
        return {name: getattr(self.result, name, None) for name in fields}


def apply_sheet(data):
    """Read the sheet again (the lines may have moved since the preview)
    and apply its valid rows in this transaction; return the plan."""
    Line = Pool().get('laisui.review.line')
    plan = read_sheet(data)
    Line.decide([(r.line, r.decision, r.points, r.reason)
            for r in plan.apply],
        versions={r.line.id: r.version for r in plan.apply})
    return plan


class Plan:
    "What a sheet would do: rows to apply, refused rows with reasons"

    def __init__(self):
        self.apply = []
        self.refused = []
        self.unchanged = 0
        self.empty = 0

    def describe(self):
        labels = {v: k for k, v in DECISION_LABELS.items()}
        for row in self.apply:
            line = row.line
            yield (f'第{row.number}行 {line.rec_name}：{labels[row.decision]}'
                + (f' {_number(row.points)}' if row.decision == 'adjust'
                    else '')
                + (f'（{row.reason}）' if row.reason else ''))

    def describe_refused(self):
        return '\n'.join(f'第{n}行：{reason}' for n, reason in self.refused)


def read_sheet(data):
    "The Plan of an uploaded sheet; BatchError when it cannot be read"
    pool = Pool()
    Line = pool.get('laisui.review.line')
    if not data or not bytes(data).startswith(XLSX_MAGIC):
        raise BatchError(gettext('laisui_review.msg_batch_not_xlsx'))
    try:
        table = open_table(bytes(data), MAX_ROWS)
        if table.headers[:len(HEADERS)] != HEADERS:
            raise BatchError(gettext('laisui_review.msg_batch_headers',
                    expected='、'.join(HEADERS)))
        rows = list(table.rows)
    except FileFormatError as e:
        raise BatchError(str(e.message)) from e
    plan = Plan()
    candidates = []
    key = _key()
    for number, cells in rows:
        if not isinstance(cells, list):
            plan.refused.append((number, gettext(
                        'laisui_review.msg_batch_formula')))
            continue
        cells = (cells + [None] * len(HEADERS))[:len(HEADERS)]
        decision_label = _text(cells[DECISION])
        if not decision_label:
            plan.empty += 1
            continue
        line_id, version = _int(cells[0]), _int(cells[1])
        if (line_id is None or version is None or not hmac.compare_digest(
                    _text(cells[2]).encode(),
                    signature(line_id, version, key).encode())):
            plan.refused.append((number, gettext(
                        'laisui_review.msg_batch_signature')))
            continue
        candidates.append((number, line_id, version, cells,
                decision_label))
    # Lines the user may not read are reported, not leaked.
    readable = read_lines(l.id for l in Line.search(
            [('id', 'in', [c[1] for c in candidates])]))
    seen = set()
    for number, line_id, version, cells, decision_label in candidates:
        line = readable.get(line_id)
        reason = _check_row(line, line_id, version, cells, decision_label,
            seen)
        if reason == 'unchanged':
            plan.unchanged += 1
        elif reason:
            plan.refused.append((number, reason))
        else:
            seen.add(line_id)
            plan.apply.append(Row(number, Line(line_id),
                    DECISION_LABELS[decision_label],
                    _decimal(cells[POINTS]), _text(cells[REASON]) or None,
                    version))
    return plan


def _check_row(line, line_id, version, cells, decision_label, seen):
    "The zh_CN reason to refuse the row, 'unchanged', or None to apply"
    if line is None:
        return gettext('laisui_review.msg_batch_no_line', line=line_id)
    if line_id in seen:
        return gettext('laisui_review.msg_batch_duplicate', line=line_id)
    sheet = [_text(c) for c in cells[HIDDEN:DECISION]]
    current = [_text(v) for v in line.locked]
    for title, old, new in zip(HEADERS[HIDDEN:DECISION], current, sheet):
        if old != new:
            return gettext('laisui_review.msg_batch_locked_column',
                column=title)
    decision = DECISION_LABELS.get(decision_label)
    if decision is None:
        return gettext('laisui_review.msg_batch_decision',
            value=decision_label)
    points = cells[POINTS]
    name = f'{line.locked[0]} {line.locked[3]}'
    if decision != 'adjust' and _text(points):
        # Points the decision would not use: a slip, never dropped silently.
        return gettext('laisui_review.msg_batch_points_unused',
            line=name, decision=decision_label)
    if version != line.version:
        if (line.state == STATE_OF[decision]
                and (decision != 'adjust'
                    or _decimal(points) == line.points)):
            return 'unchanged'
        return gettext('laisui_review.msg_batch_stale',
            line=name, state=_state_label(line.state))
    if line.state != 'pending' or line.case_state != 'open':
        return gettext('laisui_review.msg_batch_stale',
            line=name, state=_state_label(line.state))
    length = min_reason_length()
    if decision == 'adjust' and (_decimal(points) is None
            or len(_text(cells[REASON])) < length):
        return gettext('laisui_review.msg_adjust_reason',
            line=name, length=length)
    if decision == 'correction' and not _text(cells[REASON]):
        return gettext('laisui_review.msg_correction_reason', line=name)
    return None


def _state_label(state):
    Line = Pool().get('laisui.review.line')
    return dict(Line.fields_get(['state'])['state']['selection'])[state]


def _text(value):
    if value is None:
        return ''
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _int(value):
    try:
        return int(_text(value))
    except ValueError:
        return None


def _decimal(value):
    text = _text(value)
    if not text:
        return None
    try:
        return Decimal(text).quantize(Decimal('0.01'))
    except InvalidOperation:
        return None
