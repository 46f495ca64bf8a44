# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Data forms: versions, publication checks and the server validation of
answers, each bad answer refused with its zh_CN message."""
import datetime as dt
from decimal import Decimal

from trytond.modules.laisui_base.exceptions import (
    FormAnswersError, FormDefinitionError, FormPublishedError)
from trytond.modules.laisui_base.form_engine import summary_rows
from trytond.modules.laisui_base.tests.clamd import ClamdMixin
from trytond.modules.laisui_base.tests.forms import (
    HOUSEHOLD, ID_NUMBER, MATERIALS, PHONE, SPOUSE_ID_NUMBER,
    household_answers, make_form)
from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, png_bytes)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

TODAY = dt.date(2026, 7, 1)


class FormDefinitionTestCase(ActivatedTestCase):
    "Form versions and their publication"
    modules = ['laisui_base']

    @with_transaction()
    def test_version_numbers(self):
        "Versions of a code count from 1; the definition is a snapshot"
        form = make_form('household', HOUSEHOLD)
        self.assertEqual(form.version, 1)
        self.assertEqual(form.state, 'published')
        definition = form.definition()
        self.assertEqual([f['name'] for f in definition][:3],
            ['full_name', 'id_number', 'phone'])
        self.assertEqual(definition[7]['condition'], {
                'field': 'marital', 'operator': 'equals',
                'value': 'married'})
        self.assertEqual(definition[4]['min'], '1')
        self.assertEqual(definition[3]['max'], '2026-06-30')
        self.assertEqual(definition[6]['options'], [['single', '未婚'],
                ['married', '已婚'], ['divorced', '离异']])
        self.assertEqual(
            [c['name'] for c in definition[11]['columns']],
            ['child_name', 'child_birth'])

    @with_transaction()
    def test_published_immutable(self):
        "A published form, its fields and columns refuse every change"
        pool = Pool()
        Form = pool.get('laisui.form')
        Field = pool.get('laisui.form.field')
        form = make_form('household', HOUSEHOLD)
        message = '表单“household v1”已发布，不能编辑或删除；如需修改，请新建版本。'
        column = form.fields[11].columns[0]
        for action in [
                lambda: Form.write([form], {'name': 'x'}),
                lambda: Form.delete([form]),
                lambda: Field.write([form.fields[0]], {'label': 'x'}),
                lambda: Field.delete([form.fields[0]]),
                lambda: Field.write([column], {'label': 'x'}),
                lambda: Field.create([{'form': form.id, 'name': 'extra',
                            'label': 'x', 'type': 'text'}]),
                ]:
            with self.assertRaises(FormPublishedError) as cm:
                action()
            self.assertEqual(cm.exception.message, message)
        self.assertEqual(Form(form.id).name, 'household')
        self.assertEqual(Field(form.fields[0].id).label, '姓名')
        self.assertEqual(len(Form(form.id).fields), 12)

    @with_transaction()
    def test_new_version(self):
        "新建版本 copies into the next draft version; the old stays"
        pool = Pool()
        Form = pool.get('laisui.form')
        Field = pool.get('laisui.form.field')
        AuditLog = pool.get('laisui.audit.log')
        form = make_form('household', HOUSEHOLD)
        before = form.definition()
        Form.new_version([form])
        new, = Form.search([('code', '=', 'household'),
                ('state', '=', 'draft')])
        self.assertEqual(new.version, 2)
        self.assertEqual(new.definition(), before)
        # The copy's conditions name its own fields.
        self.assertEqual(new.fields[7].condition_field, new.fields[6])
        Field.write([new.fields[0]], {'label': '申请人姓名'})
        Field.delete([new.fields[5]])
        self.assertEqual(Form(form.id).definition(), before)
        self.assertEqual(len(Form(new.id).fields), 11)
        Form.publish([new])
        Form.retire([form])
        self.assertEqual(Form(form.id).state, 'retired')
        self.assertEqual(AuditLog.search_count([
                    ('action', '=', 'state'),
                    ('resource', '=', str(form)),
                    ]), 2)

    def assertNotPublished(self, specs, message):
        pool = Pool()
        Form = pool.get('laisui.form')
        form = make_form('bad', specs, publish=False)
        with self.assertRaises(FormDefinitionError) as cm:
            Form.publish([form])
        self.assertEqual(cm.exception.message, message)
        self.assertEqual(Form(form.id).state, 'draft')
        Form.delete([form])

    @with_transaction()
    def test_publish_checks(self):
        "Publication refuses definitions that cannot be filled in"
        text = {'label': '甲', 'type': 'text'}
        self.assertNotPublished([], '表单“bad v1”没有填写项。')
        self.assertNotPublished([dict(text, name='1st')],
            '键“1st”须以字母开头，只含字母、数字和下划线（最多 40 个）。')
        self.assertNotPublished(
            [dict(text, name='a'), dict(text, name='a')],
            '键“a”在表单中重复。')
        self.assertNotPublished(
            [{'name': 'c', 'label': '甲', 'type': 'choice'}],
            '“甲”须列出可选项，且值不重复。')
        self.assertNotPublished(
            [dict(text, name='a', length_min=5, length_max=4)],
            '“甲”的最小值大于最大值。')
        self.assertNotPublished([{'name': 'n', 'label': '甲',
                        'type': 'number', 'number_min': Decimal(2),
                        'number_max': Decimal(1)}],
            '“甲”的最小值大于最大值。')
        self.assertNotPublished([{'name': 'd', 'label': '甲',
                        'type': 'date', 'date_min': dt.date(2026, 1, 2),
                        'date_max': dt.date(2026, 1, 1)}],
            '“甲”的最小值大于最大值。')
        self.assertNotPublished([dict(text, name='a', pattern='[a-')],
            '“甲”的正则表达式无效：unterminated character set at '
            'position 0')
        self.assertNotPublished([dict(text, name='a', pattern='(a+)+$')],
            '“甲”的正则表达式超过 200 个字符或含嵌套的重复，可能使检查极慢。')
        self.assertNotPublished([{'name': 't', 'label': '甲',
                        'type': 'table'}],
            '表格“甲”须至少有一列。')

    @with_transaction()
    def test_condition_earlier(self):
        "A condition names an earlier field, never a later one"
        pool = Pool()
        Field = pool.get('laisui.form.field')
        Form = pool.get('laisui.form')
        form = make_form('order', [
                {'name': 'a', 'label': '甲', 'type': 'text'},
                {'name': 'b', 'label': '乙', 'type': 'boolean'},
                ], publish=False)
        first, second = form.fields
        Field.write([first], {'condition_field': second.id,
                'condition_operator': 'equals', 'condition_value': 'yes'})
        with self.assertRaises(FormDefinitionError) as cm:
            Form.publish([form])
        self.assertEqual(cm.exception.message,
            '“甲”的显示条件须引用它之前的填写项，并选择条件。')


class FormAnswersTestCase(ClamdMixin, ActivatedTestCase):
    "Server validation of answers"
    modules = ['laisui_base']

    def assertRefused(self, form, answers, key, message):
        with self.assertRaises(FormAnswersError) as cm:
            form.validate_answers(answers, today=TODAY)
        self.assertEqual(cm.exception.errors, {key: message})

    @with_transaction()
    def test_valid(self):
        "Valid answers come back clean, canonical"
        form = make_form('household', HOUSEHOLD)
        clean = form.validate_answers(household_answers(
                id_number=ID_NUMBER.lower()[:-1] + '2',
                phone='+86 138 0013 8000', household='3',
                income='6,500.5', arrival='2015-03-01',
                spouse_works='yes'), today=TODAY)
        self.assertEqual(clean['id_number'], ID_NUMBER)
        self.assertEqual(clean['phone'], PHONE)
        self.assertEqual(clean['household'], 3)
        self.assertEqual(clean['income'], Decimal('6500.50'))
        self.assertEqual(clean['arrival'], dt.date(2015, 3, 1))
        self.assertIs(clean['spouse_works'], True)

    @with_transaction()
    def test_missing_and_extra(self):
        "Missing required and unknown keys are refused"
        form = make_form('household', HOUSEHOLD)
        self.assertRefused(form, household_answers(full_name=None),
            'full_name', '请填写“姓名”。')
        self.assertRefused(form, household_answers(full_name='  '),
            'full_name', '请填写“姓名”。')
        self.assertRefused(form, household_answers(admin=True),
            'admin', '“admin”不是本表单的填写项。')
        with self.assertRaises(FormAnswersError) as cm:
            form.validate_answers({}, today=TODAY)
        self.assertEqual(list(cm.exception.errors), ['full_name',
                'id_number', 'phone', 'arrival', 'household', 'marital',
                'address', 'children'])

    @with_transaction()
    def test_number_bounds(self):
        "Numbers: on the bounds taken, one past them refused"
        form = make_form('household', HOUSEHOLD)
        for value in [1, 10, '1', '10']:
            form.validate_answers(household_answers(household=value),
                today=TODAY)
        self.assertRefused(form, household_answers(household=0),
            'household', '“家庭人数”不能小于 1。')
        self.assertRefused(form, household_answers(household=11),
            'household', '“家庭人数”不能大于 10。')
        self.assertRefused(form, household_answers(household='2.5'),
            'household', '“家庭人数”须填写整数。')
        self.assertRefused(form, household_answers(household='三'),
            'household', '“家庭人数”须填写数字。')
        self.assertRefused(form, household_answers(household='NaN'),
            'household', '“家庭人数”须填写数字。')
        self.assertRefused(form, household_answers(household=True),
            'household', '“家庭人数”须填写数字。')
        self.assertEqual(form.validate_answers(household_answers(
                    income='100000.00'), today=TODAY)['income'],
            Decimal('100000.00'))
        self.assertRefused(form, household_answers(income='100000.01'),
            'income', '“月收入”不能大于 100000。')
        self.assertRefused(form, household_answers(income='-0.01'),
            'income', '“月收入”不能小于 0。')
        self.assertRefused(form, household_answers(income='1.005'),
            'income', '“月收入”最多保留 2 位小数。')

    @with_transaction()
    def test_date_bounds(self):
        "Dates: the day before the earliest and after the latest refused"
        form = make_form('household', HOUSEHOLD)
        for day in [dt.date(2000, 1, 1), dt.date(2026, 6, 30)]:
            form.validate_answers(household_answers(arrival=day),
                today=TODAY)
        self.assertRefused(form,
            household_answers(arrival=dt.date(1999, 12, 31)),
            'arrival', '“来穗日期”不能早于 2000-01-01。')
        self.assertRefused(form,
            household_answers(arrival=dt.date(2026, 7, 1)),
            'arrival', '“来穗日期”不能晚于 2026-06-30。')
        self.assertRefused(form, household_answers(arrival='2026-02-30'),
            'arrival', '“来穗日期”须填写日期，格式如 2026-01-31。')

    @with_transaction()
    def test_length_bounds(self):
        "Texts: 2 to 30 characters"
        form = make_form('household', HOUSEHOLD)
        for name in ['李红', '李' * 30]:
            form.validate_answers(household_answers(full_name=name),
                today=TODAY)
        self.assertRefused(form, household_answers(full_name='李'),
            'full_name', '“姓名”至少填写 2 个字。')
        self.assertRefused(form, household_answers(full_name='李' * 31),
            'full_name', '“姓名”最多填写 30 个字。')
        self.assertRefused(form, household_answers(full_name=['李红']),
            'full_name', '“姓名”的填写内容无效。')

    @with_transaction()
    def test_identity(self):
        "ID numbers and phones validated as identity.py does"
        form = make_form('household', HOUSEHOLD)
        self.assertRefused(form,
            household_answers(id_number=ID_NUMBER[:-1] + '3'),
            'id_number', '“身份证号码”：身份证号码校验位错误，请核对后重新输入。')
        self.assertRefused(form, household_answers(phone='1380013800'),
            'phone', '“手机号码”：请输入有效的手机号码（以1开头的11位数字）。')

    @with_transaction()
    def test_options_and_street(self):
        "Only the options offered, only the streets of Yuexiu"
        form = make_form('household', HOUSEHOLD)
        self.assertRefused(form, household_answers(marital='widowed'),
            'marital', '“widowed”不是“婚姻状况”的可选项。')
        self.assertRefused(form, household_answers(
                address={'street': '石牌街道', 'detail': '1号'}),
            'address', '“现居住地址”请选择越秀区的街道。')
        self.assertRefused(form, household_answers(
                address={'street': '洪桥街道', 'detail': ' '}),
            'address', '请填写“现居住地址”的详细地址。')
        self.assertEqual(form.validate_answers(household_answers(
                    address='北京街道西湖路 2 号'), today=TODAY)['address'],
            {'street': '北京街道', 'detail': '西湖路 2 号'})

    @with_transaction()
    def test_visibility_chain(self):
        "Hidden fields are not asked and may not be answered"
        form = make_form('household', HOUSEHOLD)
        single = household_answers(marital='single', spouse_name=None,
            spouse_works=None, spouse_employer=None)
        clean = form.validate_answers(single, today=TODAY)
        self.assertNotIn('spouse_name', clean)
        self.assertRefused(form, dict(single, spouse_name='王强'),
            'spouse_name',
            '“配偶姓名”仅当“婚姻状况”为“已婚”时填写，请留空。')
        # The chain: the employer follows spouse_works, hidden with it.
        self.assertRefused(form, dict(single, spouse_employer='某公司'),
            'spouse_employer',
            '“配偶工作单位”仅当“配偶是否就业”为“是”时填写，请留空。')
        self.assertRefused(form, household_answers(spouse_employer=None),
            'spouse_employer', '请填写“配偶工作单位”。')
        clean = form.validate_answers(household_answers(
                spouse_works=False, spouse_employer=None), today=TODAY)
        self.assertIs(clean['spouse_works'], False)
        self.assertRefused(form, household_answers(spouse_works='maybe'),
            'spouse_works', '“配偶是否就业”请选择“是”或“否”。')

    @with_transaction()
    def test_table_rows(self):
        "A table: 1 to 3 rows, each cell checked with its row number"
        form = make_form('household', HOUSEHOLD)
        child = {'child_name': '王小明', 'child_birth': '2018-09-01'}
        clean = form.validate_answers(household_answers(
                children=[child, {}, child, child]), today=TODAY)
        self.assertEqual(len(clean['children']), 3)
        self.assertEqual(clean['children'][0]['child_birth'],
            dt.date(2018, 9, 1))
        self.assertRefused(form, household_answers(children=[{}]),
            'children', '“随迁子女”至少填写 1 行。')
        self.assertRefused(form, household_answers(children=[child] * 4),
            'children', '“随迁子女”最多填写 3 行。')
        self.assertRefused(form, household_answers(children=[
                    child, {'child_birth': '2019-01-01'}]),
            'children.2.child_name', '“随迁子女”第 2 行：请填写“子女姓名”。')
        with self.assertRaises(FormAnswersError) as cm:
            form.validate_answers(household_answers(children=[
                        child, {'child_name': '甲',
                            'child_birth': '2026-07-01'}]), today=TODAY)
        self.assertEqual(cm.exception.errors, {'children.2.child_birth':
                '“随迁子女”第 2 行：“出生日期”不能晚于 2026-06-30。'})
        self.assertRefused(form, household_answers(children=[
                    dict(child, grade='三年级')]),
            'children', '“grade”不是本表单的填写项。')

    @with_transaction()
    def test_pattern_multiple_file(self):
        "Patterns match whole answers; choices counted; files sniffed"
        form = make_form('materials', MATERIALS)
        clean = form.validate_answers({'permit_no': 'GZ1234',
                'skills': ['drive'], 'licence': png_bytes()}, today=TODAY)
        self.assertEqual(clean['licence'].mime_type, 'image/png')
        self.assertRefused(form, {'permit_no': 'GZ12345'},
            'permit_no', '“居住证编号”的格式不正确，请按说明填写。')
        self.assertRefused(form, {'permit_no': 'GZ1234',
                'skills': ['cook', 'drive', 'care']},
            'skills', '“技能”最多选择 2 项。')
        self.assertRefused(form, {'permit_no': 'GZ1234',
                'skills': ['cook'], 'licence': png_bytes()},
            'licence', '“驾驶证”仅当“技能”为“驾驶”、“护理”之一时填写，请留空。')
        self.assertRefused(form, {'permit_no': 'GZ1234',
                'skills': ['care'], 'licence': b'just text, named .pdf'},
            'licence', '“驾驶证”：仅支持 JPG、PNG、PDF 格式的文件。')
        self.assertRefused(form, {'permit_no': 'GZ1234',
                'note': 'x' * 51},
            'note', '“备注”最多填写 50 个字。')

    @with_transaction()
    def test_summary_masked(self):
        "The summary lists visible answers in order, numbers masked"
        form = make_form('household', HOUSEHOLD)
        clean = form.validate_answers(household_answers(
                spouse_works=False, spouse_employer=None, income=None),
            today=TODAY)
        rows = summary_rows(form.definition(), clean)
        self.assertEqual(rows, [
                ('姓名', '李红'),
                ('身份证号码', '440104********1232'),
                ('手机号码', '138****8000'),
                ('来穗日期', '2015-03-01'),
                ('家庭人数', '3'),
                ('婚姻状况', '已婚'),
                ('配偶姓名', '王强'),
                ('配偶是否就业', '否'),
                ('现居住地址', '广州市越秀区洪桥街道解放北路 1 号'),
                ('随迁子女 1 · 子女姓名', '王小明'),
                ('随迁子女 1 · 出生日期', '2018-09-01'),
                ])
        self.assertNotIn(SPOUSE_ID_NUMBER, str(rows))
