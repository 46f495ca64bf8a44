# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_points.fact import KINDS as FACT_KINDS
from trytond.pool import Pool
from trytond.pyson import Eval

from .exceptions import DatasetError

MODES = [
    ('incremental', "Incremental (cursor)"),
    ('full', "Full Refresh"),
    ]
# Columns of laisui.connector.record a source field can fill.
TARGETS = [
    ('id_number', "ID Number"),
    ('name', "Name"),
    ('reference', "External Reference"),
    ('date_from', "From"),
    ('date_to', "To"),
    ('address', "Address (district and street)"),
    ('level', "Level"),
    ('quantity', "Quantity"),
    ('flag', "Flag"),
    ('description', "Description"),
    ('extra', "Other (kept as is)"),
    ]
TRANSFORMS = [
    ('text', "Text"),
    ('name', "Person Name"),
    ('id_number', "ID Number"),
    ('date', "Date"),
    ('number', "Number"),
    ('boolean', "Yes/No"),
    ('address', "Address"),
    ]
# The transform a target implies when the mapping names none.
DEFAULT_TRANSFORM = {
    'id_number': 'id_number', 'name': 'name', 'date_from': 'date',
    'date_to': 'date', 'address': 'address', 'quantity': 'number',
    'flag': 'boolean',
    }


class Dataset(DeactivableMixin, ModelSQL, ModelView):
    "Dataset of an external system (数据集)"
    __name__ = 'laisui.connector.dataset'

    source = fields.Many2One('laisui.connector.source', "Source",
        required=True, ondelete='CASCADE')
    code = fields.Char("Code", required=True)
    name = fields.Char("Name", required=True, translate=True)
    fact_kind = fields.Selection([
            (None, ''),
            ('permit', "Residence Permit"),
            ] + FACT_KINDS, "Feeds",
        help="What its records become for their applicant: residence "
        "permits or facts of this kind.")
    endpoint = fields.Char("Endpoint",
        help="Path of the paged list under the source's base URL.")
    lookup_endpoint = fields.Char("Look-up Endpoint",
        help="Path of the per-person look-up; {id_number} is replaced.")
    mode = fields.Selection(MODES, "Mode", required=True)
    cursor = fields.Char("Cursor", readonly=True,
        help="Where the next incremental sync starts; "
        "moves only when a run commits.")
    key_fields = fields.Char("Natural Key", required=True,
        help="Targets that identify a record, comma separated.")
    max_rows = fields.Integer("Maximum Rows", required=True)
    interval_hours = fields.Integer("Sync Every (hours)",
        help="Empty or 0: on demand only.")
    next_sync = fields.Timestamp("Next Sync", readonly=True)
    mappings = fields.One2Many(
        'laisui.connector.mapping', 'dataset', "Field Mapping")
    runs = fields.One2Many('laisui.connector.run', 'dataset', "Runs",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'laisui_connectors.msg_dataset_code_unique'),
            ]
        cls._order = [('code', 'ASC'), ('id', 'ASC')]
        cls._buttons.update({
                'sync': {
                    'invisible': Eval('source_kind') != 'http',
                    'depends': ['source_kind'],
                    },
                })

    source_kind = fields.Function(fields.Selection(
            'get_source_kinds', "Source Kind"), 'on_change_with_source_kind')

    @classmethod
    def get_source_kinds(cls):
        from .source import KINDS
        return [(None, '')] + KINDS

    @fields.depends('source', '_parent_source.kind')
    def on_change_with_source_kind(self, name=None):
        return self.source.kind if self.source else None

    @classmethod
    def default_mode(cls):
        return 'incremental'

    @classmethod
    def default_max_rows(cls):
        return 500_000

    @property
    def keys(self):
        return [k.strip() for k in (self.key_fields or '').split(',')
            if k.strip()]

    @classmethod
    def validate_fields(cls, datasets, field_names):
        super().validate_fields(datasets, field_names)
        targets = dict(TARGETS)
        for dataset in datasets:
            mapped = {m.target for m in dataset.mappings}
            unknown = [k for k in dataset.keys
                if k not in targets or k == 'extra']
            if not dataset.keys or unknown:
                raise DatasetError(gettext(
                        'laisui_connectors.msg_dataset_key_unknown',
                        dataset=dataset.rec_name,
                        key=', '.join(unknown) or '-'))
            missing = [k for k in dataset.keys if k not in mapped]
            if dataset.mappings and missing:
                raise DatasetError(gettext(
                        'laisui_connectors.msg_dataset_key_unmapped',
                        dataset=dataset.rec_name, key=', '.join(missing)))
            if dataset.max_rows <= 0:
                raise DatasetError(gettext(
                        'laisui_connectors.msg_dataset_max_rows'))

    @classmethod
    @ModelView.button
    def sync(cls, datasets):
        Pool().get('laisui.connector.run').launch(datasets, 'http')

    @classmethod
    def sync_due(cls):
        "Queue a run of every HTTP dataset whose interval has passed (cron)"
        now = clock.now()
        due = [d for d in cls.search([
                    ('source.kind', '=', 'http'),
                    ('source.active', '=', True),
                    ('interval_hours', '>', 0),
                    ['OR', ('next_sync', '=', None),
                        ('next_sync', '<=', now)],
                    ])]
        for dataset in due:
            dataset.next_sync = now + dt.timedelta(
                hours=dataset.interval_hours)
        cls.save(due)
        if due:
            cls.sync(due)


class Mapping(sequence_ordered(), ModelSQL, ModelView):
    "Field mapping (字段映射)"
    __name__ = 'laisui.connector.mapping'

    dataset = fields.Many2One('laisui.connector.dataset', "Dataset",
        required=True, ondelete='CASCADE')
    source_field = fields.Char("Source Field", required=True,
        help="Column header of the file or key of the JSON record.")
    target = fields.Selection(TARGETS, "Target", required=True)
    transform = fields.Selection([(None, '')] + TRANSFORMS, "Cleaning",
        help="Empty: the usual cleaning of the target.")
    required = fields.Boolean("Required")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('source_field_unique', Unique(t, t.dataset, t.source_field),
                'laisui_connectors.msg_mapping_source_unique'),
            ]

    @property
    def cleaning(self):
        return self.transform or DEFAULT_TRANSFORM.get(self.target, 'text')
