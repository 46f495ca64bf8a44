# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The audit log as people read it: the record by its kind and name, the
changed field by its label, the day in Guangzhou; searchable by record
and by period.

An entry keeps its resource as 'model,id'. Its name is read with the
reader's own rights: a record the reader may not read shows only its kind
and number, never its name.
"""
import datetime as dt
from collections import defaultdict

from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import (
    check_access, inactive_records, without_check_access)

from . import clock


def split_resource(resource):
    "(model, id) of 'model,id'; (model, None) of a bare model name"
    if not resource:
        return None, None
    model, _, id_ = resource.partition(',')
    try:
        return model, int(id_)
    except ValueError:
        return model, None


def _like_escaped(text):
    return (text.replace('\\', '\\\\').replace('%', '\\%')
        .replace('_', '\\_'))


class AuditLog(metaclass=PoolMeta):
    __name__ = 'laisui.audit.log'

    resource_model = fields.Function(fields.Selection(
            'get_resource_models', "Record Kind"),
        'get_resource_parts', searcher='search_resource_model')
    resource_id = fields.Function(fields.Integer("Record Number"),
        'get_resource_parts', searcher='search_resource_id')
    resource_name = fields.Function(fields.Char("Record"),
        'get_resource_names')
    # For the relates (历史记录): ('record.id', 'in', ids, model) finds
    # the entries of those records through the resource's index.
    record = fields.Function(fields.Reference(
            "Record Reference", selection='get_resource_models'),
        'get_record', searcher='search_record')
    field_label = fields.Function(fields.Char("Field"),
        'get_field_labels')
    date = fields.Function(fields.Date("Date"),
        'get_date', searcher='search_date')

    @classmethod
    def get_resource_models(cls):
        Model = Pool().get('ir.model')
        return [(None, '')] + Model.get_name_items()

    @classmethod
    def get_resource_parts(cls, entries, names):
        result = {n: {} for n in names}
        kinds = _model_names()
        for entry in entries:
            model, id_ = split_resource(entry.resource)
            if 'resource_model' in result:
                result['resource_model'][entry.id] = (
                    model if model in kinds else None)
            if 'resource_id' in result:
                result['resource_id'][entry.id] = id_
        return result

    def get_record(self, name):
        model, id_ = split_resource(self.resource)
        if model in _model_names() and id_ is not None and id_ >= 0:
            return self.resource

    @classmethod
    def get_resource_names(cls, entries, name):
        by_model = defaultdict(set)
        for entry in entries:
            model, id_ = split_resource(entry.resource)
            if id_ is not None:
                by_model[model].add(id_)
        names = {}
        for model, ids in by_model.items():
            names.update(
                ((model, i), n) for i, n in readable_names(model, ids).items())
        kinds = _model_names()
        result = {}
        for entry in entries:
            model, id_ = split_resource(entry.resource)
            if model is None:
                result[entry.id] = None
            elif (model, id_) in names:
                result[entry.id] = names[model, id_]
            elif id_ is None:
                result[entry.id] = kinds.get(model, model)
            else:
                result[entry.id] = f'{kinds.get(model, model)} #{id_}'
        return result

    @classmethod
    def get_field_labels(cls, entries, name):
        "The label of the field a diff entry ('record: field') is about"
        pool = Pool()
        ModelField = pool.get('ir.model.field')
        labels, result = {}, {}
        for entry in entries:
            model, _ = split_resource(entry.resource)
            field_name = (entry.detail or '').rpartition(': ')[2]
            key = model, field_name
            if key not in labels:
                try:
                    Model = pool.get(model) if model else None
                except KeyError:
                    Model = None
                labels[key] = None
                if Model and field_name in getattr(Model, '_fields', {}):
                    with without_check_access():
                        labels[key] = ModelField.get_name(model, field_name)
            result[entry.id] = labels[key]
        return result

    def get_date(self, name):
        if self.timestamp:
            return clock.to_local(self.timestamp).date()

    @classmethod
    def search_record(cls, name, clause):
        name, operator, value = clause[:3]
        if name.endswith('.id') and len(clause) > 3:
            ids = value if operator in {'in', 'not in'} else [value]
            resources = [f'{clause[3]},{int(i)}' for i in ids]
            operator = {'=': 'in', '!=': 'not in'}.get(operator, operator)
            return [('resource', operator, resources)]
        return [('resource', operator, value)]

    @classmethod
    def search_resource_model(cls, name, clause):
        _, operator, value = clause[:3]
        models = value if operator in {'in', 'not in'} else [value]
        if operator in {'=', 'in'}:
            domain = ['OR']
            for model in filter(None, models):
                domain.append(('resource', '=', model))
                domain.append(
                    ('resource', 'like', _like_escaped(model) + ',%'))
            return [domain] if len(domain) > 1 else [('id', '=', -1)]
        elif operator in {'!=', 'not in'}:
            domain = []
            for model in filter(None, models):
                domain.append(('resource', '!=', model))
                domain.append(
                    ('resource', 'not like', _like_escaped(model) + ',%'))
            return domain
        raise ValueError(f"unsupported operator {operator!r}")

    @classmethod
    def search_resource_id(cls, name, clause):
        _, operator, value = clause[:3]
        ids = value if operator in {'in', 'not in'} else [value]
        if operator in {'=', 'in'}:
            domain = ['OR'] + [('resource', 'like', f'%,{int(i)}')
                for i in ids if i is not None]
            return [domain] if len(domain) > 1 else [('id', '=', -1)]
        raise ValueError(f"unsupported operator {operator!r}")

    @classmethod
    def search_date(cls, name, clause):
        "Days in Guangzhou as ranges of the timestamp"
        _, operator, value = clause[:3]
        if value is None:
            return [('timestamp', operator, None)]
        if isinstance(value, str):
            value = dt.date.fromisoformat(value)
        start = clock.day_start(value)
        end = clock.day_start(value + dt.timedelta(days=1))
        if operator == '=':
            return [('timestamp', '>=', start), ('timestamp', '<', end)]
        if operator == '!=':
            return ['OR', ('timestamp', '<', start), ('timestamp', '>=', end)]
        return [{
                '>=': ('timestamp', '>=', start),
                '>': ('timestamp', '>=', end),
                '<=': ('timestamp', '<', end),
                '<': ('timestamp', '<', start),
                }[operator]]


def _model_names():
    "zh_CN (the context's language) names of the models"
    return Pool().get('ir.model').get_names()


def readable_names(model, ids):
    """{id: rec_name} of the records of model among ids that the current
    user may read (model access and record rules); deleted records and
    records out of the user's reach are left out"""
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    try:
        Model = pool.get(model)
    except KeyError:
        return {}
    if not hasattr(Model, 'search') or not hasattr(Model, 'get_rec_name'):
        return {}
    # The reader's rights, also when server code browses the entries
    # (Function fields read as attributes run without access checks).
    with check_access():
        if not ModelAccess.check(model, 'read', raise_exception=False):
            return {}
        with inactive_records():
            records = Model.search([('id', 'in', list(ids))])
    names = {}
    with without_check_access():
        for record in Model.browse(records):
            names[record.id] = record.rec_name
    return names
