# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The cleaners one value at a time: what each accepts, what it refuses
and why. Only the reasons need the database: they are its messages."""
import datetime as dt
from decimal import Decimal

from trytond.modules.laisui_connectors.clean import (
    AddressIndex, CleanError, boolean, date, id_number, memoized, name,
    number, text)
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.tests.test_tryton import with_transaction

from .tools import id_number as valid_id_number

TODAY = dt.date(2026, 11, 29)


class CleanTestCase(ActivatedTestCase):
    "Cleaning of one cell"
    modules = ['laisui_connectors']

    def test_text(self):
        self.assertEqual(text('  越秀区\u3000北京街道  大德路 '),
            '越秀区 北京街道 大德路')
        self.assertEqual(text('ＡＢＣ１２３'), 'ABC123')
        self.assertEqual(text(12.0), '12')
        self.assertIsNone(text('   '))
        self.assertIsNone(text(None))

    def test_name(self):
        self.assertEqual(name(' 张 三 '), '张三')
        self.assertEqual(name('Li  Wei'), 'Li Wei')
        self.assertEqual(name('阿依古丽•买买提'), '阿依古丽·买买提')
        self.assertEqual(name('阿依古丽·买.提'), '阿依古丽·买·提')

    @with_transaction()
    def test_id_number(self):
        number = valid_id_number(7)
        self.assertEqual(id_number(f' {number[:6]} {number[6:]} ', TODAY),
            number)
        self.assertEqual(id_number(number.translate(str.maketrans(
                        '0123456789', '０１２３４５６７８９')), TODAY),
            number)
        self.assertIsNone(id_number('  ', TODAY))
        wrong = number[:-1] + ('1' if number[-1] != '1' else '2')
        for value, reason in [
                (wrong, '校验位错误'),
                ('44010419800230001X', '出生日期不存在'),
                ('4401042030010100', '格式不正确'),
                ]:
            with self.subTest(value=value), \
                    self.assertRaises(CleanError) as cm:
                id_number(value, TODAY)
            self.assertIn(reason, str(cm.exception))
        born_tomorrow = valid_id_number(1, birth=TODAY + dt.timedelta(1))
        with self.assertRaises(CleanError) as cm:
            id_number(born_tomorrow, TODAY)
        self.assertIn('晚于今天', str(cm.exception))

    @with_transaction()
    def test_date(self):
        for value in ['2019-03-01', '2019/3/1', '2019.03.01', '2019年3月1日',
                '20190301', '2019-03', '2019-03-01 08:30:00',
                dt.datetime(2019, 3, 1, 8, 30), 43525]:
            with self.subTest(value=value):
                self.assertEqual(date(value), dt.date(2019, 3, 1))
        self.assertIsNone(date(''))
        for value, reason in [('2019-02-30', '不存在'), ('下周一', '无法识别')]:
            with self.subTest(value=value), \
                    self.assertRaises(CleanError) as cm:
                date(value)
            self.assertIn(reason, str(cm.exception))

    @with_transaction()
    def test_number_and_boolean(self):
        self.assertEqual(number('1,234.50'), Decimal('1234.50'))
        self.assertEqual(number(0.1), Decimal('0.1'))
        with self.assertRaises(CleanError):
            number('十二')
        self.assertIs(boolean('是'), True)
        self.assertIs(boolean(' 否 '), False)
        self.assertIs(boolean(None), False)
        with self.assertRaises(CleanError) as cm:
            boolean('也许')
        self.assertIn('应为是或否', str(cm.exception))

    def test_address(self):
        index = AddressIndex([(1, '越秀区'), (2, '天河区'), (3, '白云区')], [
                (10, '北京街道', 1), (11, '东山街道', 1),
                (12, '石牌街道', 2), (13, '白云街道', 1)])
        for value, expected in [
                ('越秀区北京街道大德路1号', (1, 10)),
                # Baiyun District is not Yuexiu's 白云街道 (白云街).
                ('广州市白云区同和街道云景路1号', (3, None)),
                ('越秀区白云街道东湖路1号', (1, 13)),
                ('白云街东湖路1号', (1, 13)),
                ('北京街大德路1号', (1, 10)),
                ('广州市东山 农林下路', (1, 11)),
                ('天河区天河路2号', (2, None)),
                ('海珠区江南大道', (None, None)),
                ]:
            with self.subTest(value=value):
                self.assertEqual(index.find(value)[:2], expected)
        self.assertEqual(index.find(' 越秀区  北京街道 ')[2], '越秀区 北京街道')
        self.assertEqual(index.find(None), (None, None, None))
        # The first street named wins: 东山 is the street, 北京路 a road.
        self.assertEqual(index.find('东山街道北京路')[:2], (1, 11))
        self.assertEqual(AddressIndex([], []).find('越秀区'),
            (None, None, '越秀区'))

    def test_memoized(self):
        calls = []

        def clean(value):
            calls.append(value)
            if value == 'bad':
                raise CleanError("bad")
            return text(value)
        cleaned = memoized(clean, size=2)
        self.assertEqual([cleaned(v) for v in ['a', 'a', 'b', 'a']],
            ['a', 'a', 'b', 'a'])
        self.assertEqual(calls, ['a', 'b'])
        # Full: new values are cleaned each time, known ones still cached.
        cleaned('c')
        cleaned('c')
        self.assertEqual(calls, ['a', 'b', 'c', 'c'])
        # Errors are raised every time, never remembered.
        for _ in range(2):
            with self.assertRaises(CleanError):
                cleaned('bad')
        self.assertEqual(calls.count('bad'), 2)
        # True, 1 and 1.0 are one dictionary key but not one value.
        cleaned = memoized(text)
        self.assertEqual([cleaned(True), cleaned(1), cleaned(1.0)],
            ['True', '1', '1'])
