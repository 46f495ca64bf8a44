# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Datasets (数据集): the models and fields reports may read.

A dataset is the whitelist a report is built from: one model, the fields
(dotted paths through many-to-one fields, e.g. ``applicant.street``) that
may be rows, columns or measures, the date its period filters on, and
where the street, department and round parameters apply. Only stored
fields qualify (the engine aggregates in SQL), and nothing that says who a
person is: a report counts people, it never lists them.
"""
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields, sequence_ordered
from trytond.pool import Pool
from trytond.pyson import Eval

from .exceptions import DatasetError

NUMERIC = {'integer', 'float', 'numeric'}
DATES = {'date', 'datetime', 'timestamp'}
DIMENSIONS = NUMERIC | DATES | {
    'many2one', 'selection', 'boolean', 'char'}
# What each run parameter must point at.
PARAMETERS = {
    'street_path': 'laisui.street',
    'department_path': 'laisui.department',
    'round_path': 'laisui.admission.round',
    }
# Models whose records are people: grouping by them lists people.
PEOPLE = {'laisui.applicant', 'laisui.family.member'}
# Fields that say who or where a person is, on any model.
PERSONAL = {'id_number', 'phone', 'mobile', 'email', 'address',
    'contact_phone', 'birth_date', 'employer', 'ip_address', 'ip_network'}


def resolve(model_name, path):
    """The (Model, field) steps of path from model_name: every step but
    the last a stored many-to-one. None when path does not resolve."""
    pool = Pool()
    Model = pool.get(model_name)
    steps = []
    names = (path or '').split('.')
    for i, name in enumerate(names):
        field = Model._fields.get(name)
        if (field is None or isinstance(field, fields.Function)
                or not getattr(field, 'sql_type', None)):
            return None
        steps.append((Model, field))
        if i < len(names) - 1:
            if field._type != 'many2one':
                return None
            Model = pool.get(field.model_name)
    return steps


def personal(steps):
    "Whether the path's last field says who a person is"
    Model, field = steps[-1]
    return (field.name in getattr(Model, '_identity_fields', ())
        or field.name in PERSONAL
        or (Model.__name__ in PEOPLE and field._type in {'char', 'text'})
        or (field._type == 'many2one' and field.model_name in PEOPLE))


class Dataset(ModelSQL, ModelView):
    "Report dataset (数据集)"
    __name__ = 'laisui.report.dataset'

    name = fields.Char("Name", required=True)
    model = fields.Many2One('ir.model', "Model", required=True,
        ondelete='CASCADE')
    model_name = fields.Function(fields.Char("Model Name"),
        'on_change_with_model_name')
    date_path = fields.Char("Period Date",
        help="The date or timestamp the period filters on, e.g. "
        "create_date (Guangzhou days).")
    street_path = fields.Char("Street",
        help="The many-to-one to the street the street parameter filters "
        "on, e.g. applicant.street; empty: no street parameter.")
    department_path = fields.Char("Department",
        help="The many-to-one to the department the department parameter "
        "filters on; empty: no department parameter.")
    round_path = fields.Char("Admission Round",
        help="The many-to-one to the admission round the round parameter "
        "filters on; empty: no round parameter.")
    dataset_fields = fields.One2Many('laisui.report.dataset.field',
        'dataset', "Fields")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('name', 'ASC'), ('id', 'ASC')]

    @fields.depends('model')
    def on_change_with_model_name(self, name=None):
        return self.model.name if self.model else None

    @classmethod
    def validate_fields(cls, datasets, field_names):
        super().validate_fields(datasets, field_names)
        for dataset in datasets:
            dataset.check_paths()

    def check_paths(self):
        model = self.model.name
        if self.date_path:
            steps = resolve(model, self.date_path)
            if not steps or steps[-1][1]._type not in DATES:
                raise DatasetError(gettext(
                        'laisui_report.msg_dataset_date_path',
                        dataset=self.rec_name, path=self.date_path))
        for name, target in PARAMETERS.items():
            path = getattr(self, name)
            if not path:
                continue
            steps = resolve(model, path)
            if (not steps or steps[-1][1]._type != 'many2one'
                    or steps[-1][1].model_name != target):
                raise DatasetError(gettext(
                        'laisui_report.msg_dataset_parameter_path',
                        dataset=self.rec_name, path=path,
                        field=self.fields_get([name])[name]['string']))


class DatasetField(sequence_ordered(), ModelSQL, ModelView):
    "Report dataset field"
    __name__ = 'laisui.report.dataset.field'

    dataset = fields.Many2One('laisui.report.dataset', "Dataset",
        required=True, ondelete='CASCADE')
    name = fields.Char("Label", required=True)
    path = fields.Char("Field Path", required=True,
        help="A stored field of the dataset's model, or a path through "
        "many-to-one fields such as applicant.street.")
    dimension = fields.Boolean("Row or Column",
        help="Reports may group by this field.")
    measure = fields.Boolean("Measure",
        states={'invisible': ~Eval('numeric')},
        help="Reports may sum, average or take the lowest or highest "
        "value of this number.")
    type = fields.Function(fields.Char("Type"), 'get_type')
    numeric = fields.Function(fields.Boolean("Numeric"), 'get_type')

    @classmethod
    def default_dimension(cls):
        return True

    def steps(self):
        return resolve(self.dataset.model.name, self.path)

    @classmethod
    def get_type(cls, records, names):
        result = {n: {} for n in names}
        for record in records:
            steps = record.steps() if record.dataset else None
            type_ = steps[-1][1]._type if steps else None
            if 'type' in names:
                result['type'][record.id] = type_
            if 'numeric' in names:
                result['numeric'][record.id] = type_ in NUMERIC
        return result

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        for record in records:
            record.check_path()

    def check_path(self):
        steps = self.steps()
        if not steps:
            raise DatasetError(gettext(
                    'laisui_report.msg_field_path',
                    path=self.path, dataset=self.dataset.rec_name))
        if personal(steps):
            raise DatasetError(gettext(
                    'laisui_report.msg_field_personal',
                    path=self.path, dataset=self.dataset.rec_name))
        type_ = steps[-1][1]._type
        if self.dimension and type_ not in DIMENSIONS:
            raise DatasetError(gettext(
                    'laisui_report.msg_field_not_dimension',
                    path=self.path))
        if self.measure and type_ not in NUMERIC:
            raise DatasetError(gettext(
                    'laisui_report.msg_field_not_numeric', path=self.path))
