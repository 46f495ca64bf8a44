# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Safe evaluation of indicator formulas.

A formula is one Python expression over the variables of variables.py,
e.g. ``min(3 * permit_years, 30)`` or
``30 if age <= 30 else 20 if age <= 40 else 10 if age <= 45 else 0``.
It is parsed once, every node is checked against a short allow-list (no
attribute access, subscripts, lambdas, comprehensions or powers; calls only
to the functions below) and then compiled. Evaluation runs the compiled
code with no builtins, so a formula can only compute numbers from facts.
"""
import ast
import math

FUNCTIONS = {
    'min': min,
    'max': max,
    'abs': abs,
    'round': round,
    'floor': math.floor,
    'ceil': math.ceil,
    'sum': lambda values: sum(values or ()),
    'count': lambda values: len(values or ()),
    # Sum of items each capped, e.g. at most 1 unit per year.
    'capped_sum': lambda values, cap: sum(min(v, cap) for v in values or ()),
    }

_NODES = (
    ast.Expression, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.IfExp,
    ast.Compare, ast.Call, ast.Constant, ast.Name, ast.Load,
    ast.And, ast.Or, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv,
    ast.Mod, ast.USub, ast.UAdd, ast.Not, ast.Eq, ast.NotEq, ast.Lt,
    ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Tuple,
    )
MAX_LENGTH = 1000


class FormulaError(ValueError):
    "kind is 'syntax', 'node' or 'name'; detail says what"

    def __init__(self, kind, detail):
        super().__init__(f'{kind}: {detail}')
        self.kind = kind
        self.detail = detail


def compile_formula(text, variables):
    """Check and compile; return (code, names used).

    `variables` maps the names a formula may read to their Python type.
    Arithmetic on text is refused: 'x' * 10 ** 8 would eat the memory."""
    text = (text or '').strip()
    if not text or len(text) > MAX_LENGTH:
        raise FormulaError('syntax', text[:40])
    try:
        tree = ast.parse(text, mode='eval')
    except SyntaxError as e:
        raise FormulaError('syntax', e.msg)
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, _NODES):
            raise FormulaError('node', type(node).__name__)
        if isinstance(node, ast.Constant) and not isinstance(
                node.value, (int, float, str, bool)):
            raise FormulaError('node', repr(node.value))
        if isinstance(node, ast.BinOp) and any(
                _is_text(operand, variables)
                for operand in (node.left, node.right)):
            raise FormulaError('node', ast.unparse(node))
        if isinstance(node, ast.Call):
            if (not isinstance(node.func, ast.Name)
                    or node.func.id not in FUNCTIONS or node.keywords):
                raise FormulaError('name', ast.unparse(node.func))
        elif isinstance(node, ast.Name) and node.id not in FUNCTIONS:
            if node.id not in variables:
                raise FormulaError('name', node.id)
            names.add(node.id)
    return compile(tree, '<formula>', 'eval'), frozenset(names)


def _is_text(node, variables):
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Name):
        return variables.get(node.id) is str
    return False


def namespace(values):
    "The globals a formula runs in: the values, the functions, no builtins"
    result = dict(FUNCTIONS)
    result.update(values)
    result['__builtins__'] = {}
    return result


def evaluate(code, namespace):
    """Run compiled formula code in a namespace() of variable values.

    One namespace serves every formula of an applicant: formulas cannot
    assign, so they cannot change it."""
    result = eval(code, namespace)  # noqa: S307 checked by compile_formula
    if isinstance(result, bool):
        return int(result)
    if not isinstance(result, (int, float)):
        raise FormulaError('node', type(result).__name__)
    return result
