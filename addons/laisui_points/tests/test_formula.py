# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The formula evaluator (laisui_points/formula.py): what a formula may
compute and what it is refused.  Expected values by hand."""
import unittest

from trytond.modules.laisui_points.formula import (
    MAX_LENGTH, FormulaError, compile_formula, evaluate, namespace)

VARIABLES = {'years': int, 'level': str, 'units': list, 'shares': float}


def run(text, **values):
    code, _ = compile_formula(text, VARIABLES)
    return evaluate(code, namespace(values))


class FormulaTestCase(unittest.TestCase):
    "Indicator formulas"

    def assertRefused(self, text, kind):
        self.assertEqual(self.refusal(text).kind, kind)

    def refusal(self, text):
        "The FormulaError that compile_formula raises for text"
        with self.assertRaises(FormulaError) as cm:
            compile_formula(text, VARIABLES)
        return cm.exception

    def assertMessage(self, error, reason, **params):
        self.assertEqual((error.reason, error.params), (reason, params))

    def test_arithmetic_and_names(self):
        "Arithmetic over variables; the names read are returned"
        code, names = compile_formula('3 * years + 1', VARIABLES)
        self.assertEqual(names, frozenset({'years'}))
        self.assertEqual(evaluate(code, namespace({'years': 4})), 13)
        self.assertEqual(run('years // 2 - years % 2', years=5), 1)
        self.assertEqual(run('-years + +years / 4', years=2), -1.5)
        self.assertEqual(run('20 * shares', shares=0.5), 10.0)

    def test_conditions(self):
        "Chained comparisons, conditions and text tests"
        age = '30 if 18 <= years <= 30 else 20 if years <= 40 else 0'
        self.assertEqual(run(age, years=17), 20)
        self.assertEqual(run(age, years=18), 30)
        self.assertEqual(run(age, years=30), 30)
        self.assertEqual(run(age, years=31), 20)
        self.assertEqual(run(age, years=41), 0)
        self.assertEqual(
            run("50 if level in ('bachelor', 'master') else 0",
                level='master'), 50)
        self.assertEqual(
            run("5 if level not in ('none',) and years > 0 else 1",
                level='basic', years=1), 5)
        self.assertEqual(run("level == 'none' or years >= 3",
                level='basic', years=3), 1)
        self.assertEqual(run("not years != 2", years=2), 1)

    def test_booleans_are_numbers(self):
        "A comparison gives 1 or 0 points, never True or False"
        self.assertIs(type(run('years >= 1', years=1)), int)
        self.assertEqual(run('years >= 1', years=1), 1)
        self.assertEqual(run('years >= 1', years=0), 0)

    def test_functions(self):
        "The allowed functions and their edge values"
        self.assertEqual(run('min(2 * years, 10)', years=6), 10)
        self.assertEqual(run('min(2 * years, 10)', years=4), 8)
        self.assertEqual(run('max(years, 3)', years=1), 3)
        self.assertEqual(run('abs(years - 5)', years=2), 3)
        self.assertEqual(run('round(shares, 1)', shares=2.26), 2.3)
        self.assertEqual(run('floor(shares)', shares=2.9), 2)
        self.assertEqual(run('ceil(shares)', shares=2.1), 3)
        self.assertEqual(run('sum(units)', units=[1, 2, 3]), 6)
        self.assertEqual(run('sum(units)', units=None), 0)
        self.assertEqual(run('count(units)', units=[4, 0]), 2)
        self.assertEqual(run('count(units)', units=None), 0)
        # At most 1 unit a year: 3 + 1 + 0 -> 1 + 1 + 0.
        self.assertEqual(run('capped_sum(units, 1)', units=[3, 1, 0]), 2)
        self.assertEqual(run('capped_sum(units, 2)', units=[3, 1]), 3)
        self.assertEqual(run('capped_sum(units, 1)', units=None), 0)

    def test_refused_constructs(self):
        "Attribute, subscript, lambda, comprehension, power, calls refused"
        for text in ['years.real', 'units[0]', '(lambda: 1)()',
                '[u for u in units]', 'years ** 2', '{1: 2}', '[1]',
                'years := 1', 'f"{years}"']:
            with self.subTest(text=text), self.assertRaises(FormulaError):
                compile_formula(text, VARIABLES)
        self.assertRefused('years ** 2', 'node')
        self.assertRefused('units[0]', 'node')
        self.assertRefused('None', 'node')
        self.assertRefused('b"x"', 'node')

    def test_refused_names(self):
        "Unknown variables and functions, keywords in calls"
        self.assertRefused('unknown + 1', 'name')
        self.assertRefused('open("x")', 'name')
        self.assertRefused('__import__("os")', 'name')
        self.assertRefused('min(years, default=0)', 'name')

    def test_refused_text_arithmetic(self):
        "Arithmetic on text could eat the memory: refused"
        self.assertRefused("'x' * 10", 'node')
        self.assertRefused("level * 10", 'node')
        self.assertRefused("10 + level", 'node')
        self.assertEqual(run("years * 10", years=2), 20)

    def test_syntax_and_length(self):
        "Empty, too long and broken formulas are syntax errors"
        self.assertRefused('', 'syntax')
        self.assertRefused('   ', 'syntax')
        self.assertRefused('3 *', 'syntax')
        self.assertRefused('1' * (MAX_LENGTH + 1), 'syntax')
        self.assertEqual(MAX_LENGTH, 1000)
        self.assertEqual(run('1' * MAX_LENGTH), int('1' * MAX_LENGTH))
        code, names = compile_formula('  years  ', VARIABLES)
        self.assertEqual(names, frozenset({'years'}))

    def test_syntax_error_marked_where_the_parser_stopped(self):
        "A syntax error names its line and character and marks the place"
        self.assertMessage(self.refusal('years years'), 'syntax_at',
            line=1, column=7, fragment='years 【此处】years')
        # On the first and on the last character of the line.
        self.assertMessage(self.refusal(') + 1'), 'syntax_at',
            line=1, column=1, fragment='【此处】) + 1')
        self.assertMessage(self.refusal('1 + )'), 'syntax_at',
            line=1, column=5, fragment='1 + 【此处】)')
        # Stopped too soon: the mark goes after the end.
        self.assertMessage(self.refusal('3 *'), 'syntax_at',
            line=1, column=4, fragment='3 *【此处】')

    def test_syntax_error_on_its_line(self):
        "In a formula of several lines, the line of the error is shown"
        self.assertMessage(self.refusal('1 2\n+ 3'), 'syntax_at',
            line=1, column=3, fragment='1 【此处】2')
        self.assertMessage(self.refusal('min(1,\n2,\n3,\n))'), 'syntax_at',
            line=4, column=2, fragment=')【此处】)')

    def test_syntax_error_without_place(self):
        """A NUL character: Python names no place, the mark goes after the
        first line"""
        self.assertMessage(self.refusal('1 +\n2\x00'), 'syntax_at',
            line=1, column=4, fragment='1 +【此处】')

    def test_syntax_error_30_characters_each_side(self):
        "Around the mark at most 30 characters are shown on each side"
        text = ('years * 10 + years * 20 + years * 30 + )'
            ' + years * 40 + years * 50 + years * 60')
        self.assertMessage(self.refusal(text), 'syntax_at',
            line=1, column=40,
            fragment='0 + years * 20 + years * 30 + 【此处】'
            ') + years * 40 + years * 50 + ')

    def test_refused_part_shown(self):
        "The refused part is shown; an operator with its operands"
        self.assertMessage(self.refusal('years + years ** 2'), 'construct',
            fragment='years ** 2')
        self.assertMessage(self.refusal('1 + units[0]'), 'construct',
            fragment='units[0]')

    def test_refused_part_shortened(self):
        "A refused part longer than 60 characters is cut to 60 with …"
        # units[, 53 digits and ]: 60 characters.
        sixty = 'units[11111111111111111111111111111111111111111111111111111]'
        self.assertMessage(self.refusal('1 + ' + sixty), 'construct',
            fragment=sixty)
        self.assertMessage(self.refusal('1 + ' + sixty[:-1] + '1]'),
            'construct', fragment=sixty[:-1] + '…')

    def test_result_text_or_list_refused(self):
        "A formula known to give text or a list is refused, not computed"
        self.assertMessage(self.refusal('level'), 'result_str',
            fragment='level')
        self.assertMessage(self.refusal('units'), 'result_list',
            fragment='units')
        self.assertMessage(self.refusal("years if years else 'none'"),
            'result_str', fragment="'none'")

    def test_result_must_be_a_number(self):
        """A result that is no number only when computed is an error then,
        the value shown cut to 60 characters"""
        code, _ = compile_formula("max(level, '')", VARIABLES)
        for value, shown in [('x' * 60, 'x' * 60), ('x' * 61, 'x' * 60)]:
            with self.subTest(length=len(value)), \
                    self.assertRaises(FormulaError) as cm:
                evaluate(code, namespace({'level': value}))
            self.assertMessage(cm.exception, 'not_number', value=shown)

    def test_detail_names_the_message(self):
        "The detail is the text of laisui_points.msg_formula_<reason>"
        # Outside a transaction gettext gives the message's id.
        self.assertEqual(self.refusal('').detail,
            'laisui_points.msg_formula_empty')

    def test_no_builtins(self):
        "The namespace holds the values and functions, no builtins"
        ns = namespace({'years': 1})
        self.assertEqual(ns['__builtins__'], {})
        self.assertEqual(ns['years'], 1)
        self.assertIn('capped_sum', ns)
