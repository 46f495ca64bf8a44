# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Test forms of the data form engine, for the tests of every module that
uses it (and its benchmark)."""
import datetime as dt
from decimal import Decimal

from trytond.pool import Pool

ID_NUMBER = '440104199001011232'
SPOUSE_ID_NUMBER = '440106198506150025'
PHONE = '13800138000'

# The 12 fields of a household form: conditions chained over marital →
# spouse_works → spouse_employer; bounds of every kind.
HOUSEHOLD = [
    {'name': 'full_name', 'label': '姓名', 'type': 'text',
        'required': True, 'length_min': 2, 'length_max': 30},
    {'name': 'id_number', 'label': '身份证号码', 'type': 'id_number',
        'required': True},
    {'name': 'phone', 'label': '手机号码', 'type': 'phone',
        'required': True},
    {'name': 'arrival', 'label': '来穗日期', 'type': 'date',
        'required': True, 'date_min': dt.date(2000, 1, 1),
        'date_max': dt.date(2026, 6, 30)},
    {'name': 'household', 'label': '家庭人数', 'type': 'number',
        'required': True, 'number_min': Decimal(1),
        'number_max': Decimal(10)},
    {'name': 'income', 'label': '月收入', 'type': 'number', 'digits': 2,
        'number_min': Decimal(0), 'number_max': Decimal('100000')},
    {'name': 'marital', 'label': '婚姻状况', 'type': 'choice',
        'required': True, 'options': 'single:未婚\nmarried:已婚\ndivorced:离异'},
    {'name': 'spouse_name', 'label': '配偶姓名', 'type': 'text',
        'required': True, 'condition': ('marital', 'equals', 'married')},
    {'name': 'spouse_works', 'label': '配偶是否就业', 'type': 'boolean',
        'required': True, 'condition': ('marital', 'equals', 'married')},
    {'name': 'spouse_employer', 'label': '配偶工作单位', 'type': 'text',
        'required': True, 'condition': ('spouse_works', 'equals', 'yes')},
    {'name': 'address', 'label': '现居住地址', 'type': 'address',
        'required': True},
    {'name': 'children', 'label': '随迁子女', 'type': 'table',
        'rows_min': 1, 'rows_max': 3, 'columns': [
            {'name': 'child_name', 'label': '子女姓名', 'type': 'text',
                'required': True},
            {'name': 'child_birth', 'label': '出生日期', 'type': 'date',
                'date_max': dt.date(2026, 6, 30)},
            ]},
    ]

# Patterns, multiple choices, 'in' conditions and files.
MATERIALS = [
    {'name': 'permit_no', 'label': '居住证编号', 'type': 'text',
        'pattern': r'[A-Z]{2}\d{4}', 'required': True},
    {'name': 'skills', 'label': '技能', 'type': 'multiple',
        'options': 'cook:烹饪\ndrive:驾驶\ncare:护理', 'length_min': 1,
        'length_max': 2},
    {'name': 'licence', 'label': '驾驶证', 'type': 'file',
        'condition': ('skills', 'in', 'drive,care')},
    {'name': 'note', 'label': '备注', 'type': 'long_text',
        'length_max': 50},
    ]


def household_answers(**changes):
    "Answers to HOUSEHOLD that are all valid, as an RPC caller sends them"
    answers = {
        'full_name': '李红',
        'id_number': ID_NUMBER,
        'phone': PHONE,
        'arrival': dt.date(2015, 3, 1),
        'household': 3,
        'income': Decimal('6500.50'),
        'marital': 'married',
        'spouse_name': '王强',
        'spouse_works': True,
        'spouse_employer': '广州某某有限公司',
        'address': {'street': '洪桥街道', 'detail': '解放北路 1 号'},
        'children': [{'child_name': '王小明',
                'child_birth': dt.date(2018, 9, 1)}],
        }
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def make_form(code, specs, name=None, publish=True):
    "A form of the field specs (conditions as (field, operator, value))"
    pool = Pool()
    Form = pool.get('laisui.form')
    Field = pool.get('laisui.form.field')
    form, = Form.create([{'name': name or code, 'code': code}])
    by_name = {}
    for sequence, spec in enumerate(specs, 1):
        spec = dict(spec)
        condition = spec.pop('condition', None)
        columns = spec.pop('columns', None)
        values = dict(spec, form=form.id, sequence=sequence)
        if columns:
            values['columns'] = [('create', [dict(c, sequence=i)
                        for i, c in enumerate(columns, 1)])]
        field, = Field.create([values])
        if condition:
            other, operator, value = condition
            Field.write([field], {
                    'condition_field': by_name[other].id,
                    'condition_operator': operator,
                    'condition_value': value,
                    })
        by_name[field.name] = field
    if publish:
        Form.publish([form])
    return Form(form.id)
