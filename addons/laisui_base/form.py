# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Form definitions as data (数据表单管理), in versions.

A form is edited in the back office without code: ordered fields with a
label, help, type, bounds, pattern, options and a visibility condition over
an earlier answer. A published version never changes (the answers given to
it must stay readable as they were given): a change is a new version of
the same code. Answers are validated on the server by form_engine.py,
against the version's definition() snapshot.

Representation: own models, answers as JSON (a Dict field). Tryton's
DictSchemaMixin knows only Dict value types (char, integer, selection...),
not ID numbers, phones, Yuexiu addresses, files or tables of rows, nor
conditions; the field model offers get_keys()/search_get_keys() itself so
that a department's table rows (laisui_connectors) are edited in sao's
Dict widget and searched as ('answers.key', '=', v) all the same. JSON
Schema (jsonschema) would put the zh_CN messages, the ID and phone checks
and the conditions in keywords of our own anyway; @bpmn-io/form-js shows
a licence watermark and has no zh_CN in its editor.
"""
import os

from trytond.i18n import gettext
from trytond.model import (
    ModelSQL, ModelView, Unique, Workflow, fields, sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.rpc import RPC
from trytond.transaction import Transaction

from . import clock
from .audit import AuditedChangesMixin
from .exceptions import FormDefinitionError, FormPublishedError
from .form_engine import (
    AnswerError, FormValidator, check_definition, parse_post)
from .state_guard import state_guard

_STREETS = os.path.join(os.path.dirname(__file__), 'data',
    'yuexiu_streets.txt')
PREVIEW_LIFETIME_MINUTES = 15
_DRAFT = {'readonly': Eval('form_state', 'draft') != 'draft'}
# Compiled validators of published versions: they never change.
_validators = {}


class Form(AuditedChangesMixin, Workflow, ModelSQL, ModelView):
    "Data form (数据表单)"
    __name__ = 'laisui.form'

    name = fields.Char("Name", required=True,
        states={'readonly': Eval('state') != 'draft'})
    code = fields.Char("Code", required=True,
        states={
            'readonly': (Eval('state') != 'draft') | (Eval('id', -1) > 0),
            },
        help="The same for every version of the form.")
    version = fields.Integer("Version", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('published', "Published"),
            ('retired', "Retired"),
            ], "State", required=True, readonly=True)
    published_at = fields.Timestamp("Published At", readonly=True)
    fields = fields.One2Many('laisui.form.field', 'form', "Fields",
        states={'readonly': Eval('state') != 'draft'})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_version_unique', Unique(t, t.code, t.version),
                'laisui_base.msg_form_code_version_unique'),
            ]
        cls._order = [('code', 'ASC'), ('version', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'published'), ('published', 'retired')}
        cls._buttons.update({
                'publish': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'retire': {
                    'invisible': Eval('state') != 'published',
                    'depends': ['state'],
                    },
                'new_version': {
                    'invisible': Eval('state') == 'draft',
                    'depends': ['state'],
                    },
                'preview': {},
                })
        cls.__rpc__.update({
                'definition_of': RPC(instantiate=0),
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    def get_rec_name(self, name):
        return f'{self.name} v{self.version}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR', ('name',) + tuple(clause[1:]),
            ('code',) + tuple(clause[1:])]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('code') and not values.get(
                'version'):
            values['version'] = cls._next_version(values['code'])
        return values

    @classmethod
    def _next_version(cls, code):
        with Transaction().set_context(active_test=False,
                _check_access=False):
            forms = cls.search([('code', '=', code)],
                order=[('version', 'DESC')], limit=1)
        return (forms[0].version or 0) + 1 if forms else 1

    @classmethod
    def check_modification(cls, mode, forms, values=None, external=False):
        super().check_modification(
            mode, forms, values=values, external=external)
        if mode == 'delete' or (mode == 'write'
                and set(values) - {'state', 'published_at'}):
            for form in forms:
                _check_draft(form)

    @classmethod
    def copy(cls, forms, default=None):
        return [f.copy_version() for f in forms]

    def copy_version(self):
        "A new draft version of the same code with the same fields"
        pool = Pool()
        Field = pool.get('laisui.form.field')
        new, = super().copy([self], default={
                'state': 'draft', 'published_at': None, 'fields': None,
                'version': self._next_version(self.code)})
        with Transaction().set_context(_check_access=False):
            copies = Field.copy(self.fields, default={
                    'form': new.id, 'condition_field': None})
            by_name = {c.name: c for c in copies}
            for old, copy in zip(self.fields, copies):
                if old.condition_field:
                    copy.condition_field = by_name[old.condition_field.name]
            Field.save(copies)
        return new

    # Definition ----------------------------------------------------------
    def definition(self):
        """The snapshot of the version: a JSON-able list of field dicts in
        order (see form_engine.py)"""
        return [f.spec() for f in self.fields]

    @classmethod
    def definition_of(cls, forms):
        "definition() over RPC, for one form"
        form, = forms
        return form.definition()

    def validator(self):
        "The compiled definition, kept for published versions"
        key = (Transaction().database.name, self.id, self.published_at)
        validator = _validators.get(key) if self.state != 'draft' else None
        if validator is None:
            validator = FormValidator(self.definition(),
                frozenset(self.yuexiu_streets()))
            if self.state != 'draft':
                _validators[key] = validator
        return validator

    def validate_answers(self, answers, today=None):
        "The clean answers, or FormAnswersError {key: zh_CN message}"
        return self.validator().validate(answers, today=today)

    def parse_post(self, form, files=None):
        "The answers of an HTML post of form_fields.html"
        return parse_post(self.validator().definition, form, files)

    @classmethod
    def yuexiu_streets(cls):
        """The streets (街道) an address in Yuexiu may name: the reference
        file data/yuexiu_streets.txt here; laisui_points, which keeps the
        geography, answers with its records. A published version keeps
        the list it was compiled with (validator())."""
        return _read_streets()

    # Buttons -------------------------------------------------------------
    @classmethod
    @state_guard('draft')
    @ModelView.button
    @Workflow.transition('published')
    def publish(cls, forms):
        for form in forms:
            if not form.fields:
                raise FormDefinitionError(gettext(
                        'laisui_base.msg_form_empty', form=form.rec_name))
            try:
                check_definition(form.definition())
            except AnswerError as e:
                raise FormDefinitionError(e.message)
        cls.write(forms, {'published_at': clock.now()})
        cls._log_states(forms, 'draft', 'published')

    @classmethod
    @state_guard('published')
    @ModelView.button
    @Workflow.transition('retired')
    def retire(cls, forms):
        cls._log_states(forms, 'published', 'retired')

    @classmethod
    def _log_states(cls, forms, from_, to):
        Pool().get('laisui.audit.log').log_many([{
                    'action': 'state',
                    'resource': str(f),
                    'from_value': from_,
                    'to_value': to,
                    'detail': f'{f.code} v{f.version}',
                    } for f in forms])

    @classmethod
    @ModelView.button
    def new_version(cls, forms):
        "Open a new draft version of each form"
        news = cls.copy(forms)
        Pool().get('laisui.audit.log').log_many([{
                    'action': 'create',
                    'resource': str(n),
                    'detail': f'{n.code} v{n.version} from v{f.version}',
                    } for f, n in zip(forms, news)])
        if len(news) == 1:
            action = {
                'type': 'ir.action.act_window',
                'res_model': cls.__name__,
                'name': news[0].rec_name,
                'res_id': [news[0].id],
                'views': [],
                'domains': [],
                }
            return action

    @classmethod
    @ModelView.button
    def preview(cls, forms):
        "The portal rendering of the form in a new tab"
        Grant = Pool().get('laisui.access.grant')
        if len(forms) != 1:
            return
        form, = forms
        token = Grant.issue(str(form), minutes=PREVIEW_LIFETIME_MINUTES)
        database = Transaction().database.name
        return {
            'type': 'ir.action.url',
            'name': form.rec_name,
            'url': (f'/{database}/laisui/form/preview/{form.id}'
                f'?token={token}'),
            }


def _check_draft(form):
    if form and form.state != 'draft':
        raise FormPublishedError(gettext(
                'laisui_base.msg_form_published', form=form.rec_name))


def _read_streets():
    with open(_STREETS, encoding='utf-8') as f:
        return [line.strip() for line in f if line.strip()]


class FormField(AuditedChangesMixin, sequence_ordered(), ModelSQL, ModelView):
    "Data form field"
    __name__ = 'laisui.form.field'
    _rec_name = 'label'

    form = fields.Many2One('laisui.form', "Form", ondelete='CASCADE',
        states={
            'required': ~Eval('parent'),
            'invisible': Bool(Eval('parent')),
            })
    parent = fields.Many2One('laisui.form.field', "Table", ondelete='CASCADE',
        domain=[('type', '=', 'table')],
        help="The table whose column this field is.")
    form_state = fields.Function(fields.Selection('get_form_states',
            "Form State"), 'on_change_with_form_state')
    name = fields.Char("Key", required=True, states=_DRAFT,
        help="Letters, digits and _; it names the answer in exports, "
        "searches and conditions.")
    label = fields.Char("Label", required=True, states=_DRAFT)
    help = fields.Text("Help", states=_DRAFT)
    type = fields.Selection([
            ('text', "Text"),
            ('long_text', "Long Text"),
            ('number', "Number"),
            ('date', "Date"),
            ('choice', "Choice"),
            ('multiple', "Multiple Choice"),
            ('boolean', "Yes/No"),
            ('id_number', "ID Number"),
            ('phone', "Mobile Phone"),
            ('address', "Address in Yuexiu"),
            ('file', "File (JPEG, PNG, PDF)"),
            ('table', "Table of Rows"),
            ], "Type", required=True, states=_DRAFT)
    required = fields.Boolean("Required", states=_DRAFT)
    length_min = fields.Integer("Minimum Length", states=dict(_DRAFT,
            invisible=~Eval('type').in_(['text', 'long_text', 'multiple'])),
        domain=[If(Bool(Eval('length_min')), ('length_min', '>=', 0), ())],
        help="Characters of a text, or choices of a multiple choice.")
    length_max = fields.Integer("Maximum Length", states=dict(_DRAFT,
            invisible=~Eval('type').in_(['text', 'long_text', 'multiple'])),
        domain=[If(Bool(Eval('length_max')), ('length_max', '>=', 0), ())])
    number_min = fields.Numeric("Minimum", states=dict(_DRAFT,
            invisible=Eval('type') != 'number'))
    number_max = fields.Numeric("Maximum", states=dict(_DRAFT,
            invisible=Eval('type') != 'number'))
    digits = fields.Integer("Decimal Places", states=dict(_DRAFT,
            invisible=Eval('type') != 'number'),
        domain=[If(Bool(Eval('digits')),
                [('digits', '>=', 0), ('digits', '<=', 6)], [])],
        help="0 for a whole number.")
    date_min = fields.Date("Earliest Date", states=dict(_DRAFT,
            invisible=Eval('type') != 'date'))
    date_max = fields.Date("Latest Date", states=dict(_DRAFT,
            invisible=Eval('type') != 'date'))
    rows_min = fields.Integer("Minimum Rows", states=dict(_DRAFT,
            invisible=Eval('type') != 'table'))
    rows_max = fields.Integer("Maximum Rows", states=dict(_DRAFT,
            invisible=Eval('type') != 'table'))
    pattern = fields.Char("Pattern", states=dict(_DRAFT,
            invisible=~Eval('type').in_(['text', 'long_text'])),
        help="A regular expression the whole answer must match.")
    options = fields.Text("Options", states=dict(_DRAFT,
            invisible=~Eval('type').in_(['choice', 'multiple'])),
        help="One option a line, as value:label or just the label.")
    condition_field = fields.Many2One('laisui.form.field', "Shown When",
        ondelete='SET NULL', states=dict(_DRAFT,
            invisible=Bool(Eval('parent'))),
        domain=[('form', '=', Eval('form', -1)), ('parent', '=', None),
            ('id', '!=', Eval('id', -1))],
        help="Ask this field only when an earlier answer is as below.")
    condition_operator = fields.Selection([
            (None, ''),
            ('equals', "Equals"),
            ('not_equals', "Not Equals"),
            ('in', "Is One Of"),
            ], "Operator", states=dict(_DRAFT,
            invisible=~Eval('condition_field'),
            required=Bool(Eval('condition_field'))))
    condition_value = fields.Char("Value", states=dict(_DRAFT,
            invisible=~Eval('condition_field')),
        help="An option's value, yes/no, or several separated by commas "
        "for \"is one of\".")
    columns = fields.One2Many('laisui.form.field', 'parent', "Columns",
        states=dict(_DRAFT, invisible=Eval('type') != 'table'))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'get_keys': RPC(instantiate=0),
                'search_get_keys': RPC(),
                })

    @staticmethod
    def default_type():
        return 'text'

    @classmethod
    def get_form_states(cls):
        return Pool().get('laisui.form').fields_get(
            ['state'])['state']['selection']

    @fields.depends('form', '_parent_form.state', 'parent',
        '_parent_parent.form_state')
    def on_change_with_form_state(self, name=None):
        if self.parent:
            return self.parent.form_state
        return self.form.state if self.form else 'draft'

    @property
    def root_form(self):
        return self.form or (self.parent.root_form if self.parent else None)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            # Refused before the record exists, not after.
            pool = Pool()
            if values.get('form'):
                _check_draft(pool.get('laisui.form')(values['form']))
            elif values.get('parent'):
                _check_draft(cls(values['parent']).root_form)
        return values

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        for record in records:
            _check_draft(record.root_form)

    def option_pairs(self):
        pairs = []
        for line in (self.options or '').splitlines():
            line = line.strip()
            if not line:
                continue
            value, sep, label = line.partition(':')
            pairs.append([value.strip(), (label if sep else value).strip()])
        return pairs

    def spec(self):
        "The field as the definition snapshot has it"
        kind = self.type
        spec = {
            'name': self.name,
            'label': self.label,
            'help': self.help or '',
            'type': kind,
            'required': bool(self.required),
            'min': None,
            'max': None,
            }
        if kind in {'text', 'long_text', 'multiple'}:
            spec['min'], spec['max'] = self.length_min, self.length_max
        elif kind == 'number':
            spec['min'] = _text(self.number_min)
            spec['max'] = _text(self.number_max)
            spec['digits'] = self.digits or 0
        elif kind == 'date':
            spec['min'] = self.date_min and self.date_min.isoformat()
            spec['max'] = self.date_max and self.date_max.isoformat()
        if kind in {'text', 'long_text'} and self.pattern:
            spec['pattern'] = self.pattern
        if kind in {'choice', 'multiple'}:
            spec['options'] = self.option_pairs()
        if kind == 'table':
            spec['columns'] = [c.spec() for c in self.columns]
            spec['min_rows'] = self.rows_min
            spec['max_rows'] = self.rows_max
        if self.condition_field and not self.parent:
            spec['condition'] = {
                'field': self.condition_field.name,
                'operator': self.condition_operator or 'equals',
                'value': self.condition_value or '',
                }
        return spec

    # sao's Dict widget (data table rows) ---------------------------------
    @classmethod
    def get_keys(cls, records):
        keys = []
        for record in records:
            key = {
                'id': record.id,
                'name': record.name,
                'string': record.label,
                'help': record.help,
                'type': _DICT_TYPES.get(record.type, 'char'),
                'domain': None,
                'sequence': record.sequence or 0,
                }
            if record.type in {'choice', 'multiple'}:
                key['selection'] = record.option_pairs()
                key['help_selection'] = {}
                key['sort'] = False
            elif record.type == 'number':
                if record.digits:
                    key['digits'] = (16, record.digits)
                else:
                    key['type'] = 'integer'
            keys.append(key)
        return keys

    @classmethod
    def search_get_keys(cls, domain, limit=None):
        return cls.get_keys(cls.search(domain, limit=limit))


_DICT_TYPES = {
    'number': 'numeric',
    'date': 'date',
    'choice': 'selection',
    'multiple': 'multiselection',
    'boolean': 'boolean',
    }


def _text(number):
    return None if number is None else format(number.normalize(), 'f')

