# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Server validation of the answers to a form definition (数据表单).

One place for every channel: the portal's HTML post (parse_post), RPC and
imports (validate). A definition is the JSON-able snapshot of a form
version (laisui.form definition()); it is compiled once into a
FormValidator, which checks answers without any database query.

Answers are a dict {field name: value}. Values by type:
text, long_text, pattern-checked: str; number: int (no digits) or Decimal;
date: datetime.date; choice: the option's value; multiple: list of option
values; boolean: True/False; id_number, phone: the canonical number;
address: {'street': a Yuexiu street, 'detail': str}; file: an
upload.Upload (before storage) or the stored reference dict; table: a list
of row dicts of the columns' answers.
"""
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from trytond.i18n import gettext

from .exceptions import FormAnswersError, UploadError
from .identity import (
    InvalidIdNumber, InvalidPhone, mask_id_number, mask_phone,
    normalize_id_number, normalize_phone)

TYPES = ['text', 'long_text', 'number', 'date', 'choice', 'multiple',
    'boolean', 'id_number', 'phone', 'address', 'file', 'table']
OPERATORS = ['equals', 'not_equals', 'in']
# Upper bounds whatever the definition says: they also bound the work of
# a pattern on an answer (no catastrophic backtracking on long input).
MAX_TEXT = 200
MAX_LONG_TEXT = 4000
MAX_ADDRESS_DETAIL = 100
MAX_PATTERN = 200
MAX_ROWS = 200
NAME = re.compile(r'[A-Za-z][A-Za-z0-9_]{0,39}')
# A quantified group that itself holds a quantifier, as (a+)+ or (a|a*)*:
# the classic shapes of exponential backtracking, refused at publication.
NESTED_QUANTIFIER = re.compile(r'\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)'
    r'\s*[+*{]')
TRUE = {'yes', 'true', '1', 'on', '是'}
FALSE = {'no', 'false', '0', 'off', '否'}


class AnswerError(ValueError):
    "One answer is wrong; message is the zh_CN text"

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _error(message, **values):
    return AnswerError(gettext(f'laisui_base.msg_form_{message}', **values))


def value_text(value):
    "The canonical text of an answer, as conditions compare it"
    if value is True:
        return 'yes'
    if value is False:
        return 'no'
    if isinstance(value, Decimal):
        return format(value.normalize(), 'f')
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def condition_values(condition):
    "The values a condition's text names (several for 'in')"
    text = condition.get('value') or ''
    if condition.get('operator') == 'in':
        return [v.strip() for v in re.split(r'[,，、\n]', text) if v.strip()]
    return [text.strip()]


def condition_holds(condition, answers):
    "Whether a field with `condition` is shown given the earlier answers"
    if not condition:
        return True
    value = answers.get(condition['field'])
    values = condition_values(condition)
    if isinstance(value, (list, tuple)):
        given = {value_text(v) for v in value}
    elif value is None or value == '':
        given = set()
    else:
        given = {value_text(value)}
    if condition['operator'] == 'not_equals':
        return values[0] not in given
    return bool(given & set(values))


def _blank(value):
    if isinstance(value, str):
        return not value.strip()
    return value is None or value == [] or value == {} or (
        isinstance(value, (list, tuple)) and not any(
            not _blank(v) for v in value))


class FieldValidator:
    "The check of one field of a definition"

    def __init__(self, spec, streets, label=None):
        self.spec = spec
        self.name = spec['name']
        self.label = label or spec['label']
        self.type = spec['type']
        self.required = spec.get('required', False)
        self.condition = spec.get('condition')
        self.min = spec.get('min')
        self.max = spec.get('max')
        self.digits = spec.get('digits') or 0
        pattern = spec.get('pattern')
        self.pattern = re.compile(pattern) if pattern else None
        self.options = dict(spec.get('options') or [])
        self.streets = streets
        self.columns = [FieldValidator(c, streets)
            for c in spec.get('columns') or []]
        if self.type == 'number':
            self.min = _decimal(self.min)
            self.max = _decimal(self.max)
        elif self.type == 'date':
            self.min = _date(self.min)
            self.max = _date(self.max)
        self.check = getattr(self, '_check_' + self.type)

    def clean(self, value, today=None):
        "The clean value, None when blank, or AnswerError"
        if _blank(value):
            if self.required:
                raise _error('required', label=self.label)
            if self.spec.get('min_rows'):
                # A table of at least one row is asked for.
                raise _error('rows_few', label=self.label,
                    min=self.spec['min_rows'])
            return None
        return self.check(value, today)

    # Texts -----------------------------------------------------------------
    def _text(self, value, limit):
        if not isinstance(value, str):
            raise _error('value_invalid', label=self.label)
        value = value.strip() if '\n' not in value else value.strip('\n ')
        if len(value) > min(self.max or limit, limit):
            raise _error('too_long', label=self.label,
                max=min(self.max or limit, limit))
        if self.min and len(value) < self.min:
            raise _error('too_short', label=self.label, min=self.min)
        if self.pattern and not self.pattern.fullmatch(value):
            raise _error('pattern', label=self.label)
        return value

    def _check_text(self, value, today):
        return self._text(value, MAX_TEXT)

    def _check_long_text(self, value, today):
        return self._text(value.replace('\r\n', '\n')
            if isinstance(value, str) else value, MAX_LONG_TEXT)

    # Numbers and dates -------------------------------------------------------
    def _check_number(self, value, today):
        if isinstance(value, bool) or not isinstance(
                value, (int, Decimal, str, float)):
            raise _error('number_invalid', label=self.label)
        text = str(value).strip().replace(',', '')
        if not text.isascii() or len(text) > 30:
            raise _error('number_invalid', label=self.label)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _error('number_invalid', label=self.label)
        if not number.is_finite():
            raise _error('number_invalid', label=self.label)
        if -number.as_tuple().exponent > self.digits and (
                number != round(number, self.digits)):
            if not self.digits:
                raise _error('integer_invalid', label=self.label)
            raise _error('number_digits', label=self.label,
                digits=self.digits)
        if self.min is not None and number < self.min:
            raise _error('too_small', label=self.label,
                min=value_text(self.min))
        if self.max is not None and number > self.max:
            raise _error('too_large', label=self.label,
                max=value_text(self.max))
        if not self.digits:
            return int(number)
        return round(number, self.digits)

    def _check_date(self, value, today):
        if isinstance(value, dt.datetime):
            raise _error('date_invalid', label=self.label)
        if not isinstance(value, dt.date):
            try:
                value = dt.date.fromisoformat(str(value).strip())
            except ValueError:
                raise _error('date_invalid', label=self.label)
        if self.min and value < self.min:
            raise _error('date_early', label=self.label,
                min=self.min.isoformat())
        if self.max and value > self.max:
            raise _error('date_late', label=self.label,
                max=self.max.isoformat())
        return value

    # Choices -----------------------------------------------------------------
    def _option(self, value):
        if not isinstance(value, str) or value not in self.options:
            raise _error('option', label=self.label,
                value=str(value)[:20])
        return value

    def _check_choice(self, value, today):
        return self._option(value)

    def _check_multiple(self, value, today):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)):
            raise _error('value_invalid', label=self.label)
        chosen = [self._option(v) for v in value if v != '']
        # In the order of the options, once each.
        chosen = [v for v in self.options if v in set(chosen)]
        if self.min and len(chosen) < self.min:
            raise _error('choices_few', label=self.label, min=self.min)
        if self.max and len(chosen) > self.max:
            raise _error('choices_many', label=self.label, max=self.max)
        return chosen

    def _check_boolean(self, value, today):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise _error('boolean_invalid', label=self.label)

    # Identity ----------------------------------------------------------------
    def _check_id_number(self, value, today):
        if not isinstance(value, str):
            raise _error('value_invalid', label=self.label)
        try:
            return normalize_id_number(value, today=today)
        except InvalidIdNumber as e:
            raise _error('identity', label=self.label,
                reason=gettext(f'laisui_base.msg_id_number_{e.reason}'))

    def _check_phone(self, value, today):
        if not isinstance(value, str) or len(value) > 30:
            raise _error('value_invalid', label=self.label)
        try:
            return normalize_phone(value)
        except InvalidPhone:
            raise _error('identity', label=self.label,
                reason=gettext('laisui_base.msg_phone_invalid'))

    def _check_address(self, value, today):
        if isinstance(value, str):
            # One line, as a spreadsheet cell holds it: the street first.
            value = value.strip()
            street = next((s for s in self.streets if value.startswith(s)),
                '')
            value = {'street': street, 'detail': value[len(street):]}
        if not isinstance(value, dict) or set(value) - {'street', 'detail'}:
            raise _error('value_invalid', label=self.label)
        street = value.get('street') or ''
        detail = value.get('detail') or ''
        if not isinstance(street, str) or not isinstance(detail, str):
            raise _error('value_invalid', label=self.label)
        if street not in self.streets:
            raise _error('street', label=self.label)
        detail = detail.strip()
        if not detail:
            raise _error('address_detail', label=self.label)
        if len(detail) > MAX_ADDRESS_DETAIL:
            raise _error('too_long', label=self.label,
                max=MAX_ADDRESS_DETAIL)
        return {'street': street, 'detail': detail}

    # Files and tables --------------------------------------------------------
    def _check_file(self, value, today):
        from .upload import Upload, validate_upload
        if isinstance(value, Upload):
            return value
        if isinstance(value, dict) and set(value) == {
                'id', 'mime', 'filename'}:
            # A file stored with the answers before (a resubmission).
            return value
        data = getattr(value, 'read', None)
        data = data() if data else value
        if not isinstance(data, bytes):
            raise _error('value_invalid', label=self.label)
        try:
            return validate_upload(data)
        except UploadError as e:
            raise _error('file', label=self.label, reason=e.message)

    def _check_table(self, value, today):
        if not isinstance(value, (list, tuple)) or len(value) > MAX_ROWS:
            raise _error('value_invalid', label=self.label)
        rows = [r for r in value if not _blank(r)]
        if self.spec.get('min_rows') and len(rows) < self.spec['min_rows']:
            raise _error('rows_few', label=self.label,
                min=self.spec['min_rows'])
        if self.spec.get('max_rows') and len(rows) > self.spec['max_rows']:
            raise _error('rows_many', label=self.label,
                max=self.spec['max_rows'])
        clean, errors = [], {}
        for number, row in enumerate(rows, 1):
            if not isinstance(row, dict):
                raise _error('value_invalid', label=self.label)
            unknown = set(row) - {c.name for c in self.columns}
            if unknown:
                raise _error('unknown', name=sorted(unknown)[0][:40])
            cells = {}
            for column in self.columns:
                try:
                    cell = column.clean(row.get(column.name), today)
                except AnswerError as e:
                    errors[f'{self.name}.{number}.{column.name}'] = (
                        gettext('laisui_base.msg_form_row_error',
                            label=self.label, row=number, error=e.message))
                    continue
                if cell is not None:
                    cells[column.name] = cell
            clean.append(cells)
        if errors:
            raise FormAnswersError(errors)
        return clean


def _decimal(value):
    return None if value is None or value == '' else Decimal(str(value))


def _date(value):
    if not value:
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


class FormValidator:
    "A definition compiled for validating answers, many times over"

    def __init__(self, definition, streets):
        self.definition = definition
        self.fields = [FieldValidator(s, streets) for s in definition]
        self.labels = {f.name: f.label for f in self.fields}

    def validate(self, answers, today=None):
        """The clean answers (blank ones left out), or FormAnswersError with
        each wrong field's message"""
        if not isinstance(answers, dict):
            raise FormAnswersError({
                    '': gettext('laisui_base.msg_form_value_invalid',
                        label='')})
        errors = {}
        unknown = set(answers) - set(self.labels)
        for name in sorted(unknown, key=str):
            errors[str(name)[:40]] = gettext(
                'laisui_base.msg_form_unknown', name=str(name)[:40])
        clean = {}
        # Fields whose answer is wrong or not asked: a condition over one
        # of them is not judged before it is corrected.
        unsettled = set()
        for field in self.fields:
            value = answers.get(field.name)
            if field.condition and field.condition['field'] in unsettled:
                unsettled.add(field.name)
                continue
            if not condition_holds(field.condition, clean):
                if not _blank(value):
                    errors[field.name] = gettext(
                        'laisui_base.msg_form_hidden', label=field.label,
                        condition=self.condition_text(field.condition))
                continue
            try:
                value = field.clean(value, today)
            except AnswerError as e:
                errors[field.name] = e.message
                unsettled.add(field.name)
                continue
            except FormAnswersError as e:
                errors.update(e.errors)
                unsettled.add(field.name)
                continue
            if value is not None:
                clean[field.name] = value
        if errors:
            raise FormAnswersError(errors)
        return clean

    def condition_text(self, condition):
        "“婚姻状况”为“已婚” as the page and the errors say it"
        return condition_text(self.definition, condition)


def condition_text(definition, condition):
    by_name = {f['name']: f for f in definition}
    field = by_name.get(condition['field'], {'label': condition['field']})
    options = dict(field.get('options') or [])
    if field.get('type') == 'boolean':
        options = {'yes': '是', 'no': '否'}
    values = '、'.join(f'“{options.get(v, v)}”'
        for v in condition_values(condition))
    key = {'equals': 'condition_equals', 'not_equals': 'condition_not_equals',
        'in': 'condition_in'}[condition['operator']]
    return gettext(f'laisui_base.msg_form_{key}',
        field=field['label'], values=values)


def check_definition(definition):
    """AnswerError for a definition that cannot be filled in as written
    (checked when a version is published)"""
    names = set()
    earlier = {}
    for spec in definition:
        _check_spec(spec, names)
        condition = spec.get('condition')
        if condition:
            if condition.get('field') not in earlier or (
                    condition.get('operator') not in OPERATORS):
                raise _error('field_condition', label=spec['label'])
        earlier[spec['name']] = spec
        if spec['type'] == 'table':
            if not spec.get('columns'):
                raise _error('field_columns', label=spec['label'])
            columns = set()
            for column in spec['columns']:
                if column['type'] in {'table', 'file'} or column.get(
                        'condition'):
                    raise _error('field_column_type', label=column['label'])
                _check_spec(column, columns)
            _check_bounds(spec, 'min_rows', 'max_rows')


def _check_spec(spec, names):
    label = spec['label']
    if not NAME.fullmatch(spec.get('name') or ''):
        raise _error('field_name', name=spec.get('name') or '')
    if spec['name'] in names:
        raise _error('field_name_unique', name=spec['name'])
    names.add(spec['name'])
    if spec['type'] not in TYPES:
        raise _error('value_invalid', label=label)
    if spec['type'] in {'choice', 'multiple'}:
        values = [v for v, _ in spec.get('options') or []]
        if not values or len(set(values)) != len(values):
            raise _error('field_options', label=label)
    pattern = spec.get('pattern')
    if pattern:
        if len(pattern) > MAX_PATTERN or NESTED_QUANTIFIER.search(pattern):
            raise _error('field_pattern_risky', label=label,
                max=MAX_PATTERN)
        try:
            re.compile(pattern)
        except re.error as e:
            raise _error('field_pattern', label=label, error=str(e))
    _check_bounds(spec, 'min', 'max')


def _check_bounds(spec, low, high):
    lower, upper = spec.get(low), spec.get(high)
    if lower is None or upper is None or lower == '' or upper == '':
        return
    if spec['type'] == 'number':
        lower, upper = Decimal(str(lower)), Decimal(str(upper))
    elif spec['type'] == 'date' and low == 'min':
        lower, upper = _date(lower), _date(upper)
    if lower > upper:
        raise _error('field_bounds', label=spec['label'])


# Reading ----------------------------------------------------------------

def parse_post(definition, form, files=None):
    """The answers of an HTML form post (werkzeug MultiDict form and
    files), as validate() takes them; inputs are named as
    form_fields.html names them"""
    answers = {}
    for spec in definition:
        name = spec['name']
        value = _posted(spec, name, form, files)
        if not _blank(value):
            answers[name] = value
    return answers


def _posted(spec, key, form, files):
    kind = spec['type']
    if kind == 'multiple':
        return form.getlist(key)
    if kind == 'address':
        street = form.get(key + '.street', '')
        detail = form.get(key + '.detail', '')
        return {'street': street, 'detail': detail} if (
            street or detail) else None
    if kind == 'file':
        upload = files.get(key) if files else None
        if upload is not None and upload.filename:
            return upload.read(MAX_FILE_READ)
        return None
    if kind == 'table':
        rows = []
        count = min(_count(form.get(key + '.rows')), MAX_ROWS)
        for number in range(1, count + 1):
            row = {}
            for column in spec.get('columns') or []:
                value = _posted(column, f'{key}.{number}.{column["name"]}',
                    form, files)
                if not _blank(value):
                    row[column['name']] = value
            rows.append(row)
        return rows
    return form.get(key)


# One byte more than upload.MAX_SIZE, so that validation says too large.
MAX_FILE_READ = 20 * 1024 * 1024 + 1


def _count(value):
    value = (value or '').strip()
    return int(value) if value.isascii() and value.isdigit() and (
        len(value) <= 3) else 0


def flat_answers(definition, answers):
    """The answers as sao's Dict widget edits them (data table rows): an
    address as one line of text"""
    kinds = {f['name']: f['type'] for f in definition}
    return {k: (v['street'] + v['detail'])
        if kinds.get(k) == 'address' and isinstance(v, dict) else v
        for k, v in answers.items()}


# Showing ----------------------------------------------------------------

def summary_rows(definition, answers):
    """[(label, text)] of the visible answered fields in order, for the
    read-only 核对信息 page; ID and phone numbers masked"""
    rows = []
    for spec in definition:
        if not condition_holds(spec.get('condition'), answers):
            continue
        value = answers.get(spec['name'])
        if _blank(value):
            continue
        if spec['type'] == 'table':
            for number, row in enumerate(value, 1):
                for column in spec.get('columns') or []:
                    if not _blank(row.get(column['name'])):
                        rows.append((
                                f"{spec['label']} {number} · "
                                f"{column['label']}",
                                answer_text(column, row[column['name']])))
            continue
        rows.append((spec['label'], answer_text(spec, value)))
    return rows


def form_value_text(value):
    "An answer as an input shows it back ('' for none)"
    if value is None:
        return ''
    return value_text(value)


def answer_text(spec, value):
    "One answer as the summary shows it"
    kind = spec['type']
    options = dict(spec.get('options') or [])
    if kind == 'choice':
        return options.get(value, value)
    if kind == 'multiple':
        return '、'.join(options.get(v, v) for v in value)
    if kind == 'boolean':
        return '是' if value else '否'
    if kind == 'id_number':
        return mask_id_number(value)
    if kind == 'phone':
        return mask_phone(value)
    if kind == 'address':
        if isinstance(value, dict):
            value = value.get('street', '') + value.get('detail', '')
        return f'广州市越秀区{value}'
    if kind == 'file':
        return getattr(value, 'filename', None) or (
            value.get('filename') if isinstance(value, dict) else '')
    return value_text(value)
