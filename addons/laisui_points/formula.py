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

from trytond.i18n import gettext

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
    """kind is the family of the mistake: 'syntax', 'node' or 'name'.

    reason names the message that says it (laisui_points.msg_formula_<reason>)
    and params its values, so that the text is the user's language: detail
    is that text, read inside a transaction."""

    def __init__(self, kind, reason, **params):
        super().__init__(f'{kind}: {reason} {params}')
        self.kind = kind
        self.reason = reason
        self.params = params

    @property
    def detail(self):
        return gettext(
            f'laisui_points.msg_formula_{self.reason}', **self.params)


def compile_formula(text, variables):
    """Check and compile; return (code, names used).

    `variables` maps the names a formula may read to their Python type.
    Arithmetic on text is refused: 'x' * 10 ** 8 would eat the memory; on
    lists too, and a result known to be text or a list, which would only
    fail when an applicant's points are computed."""
    text = (text or '').strip()
    if not text:
        raise FormulaError('syntax', 'empty')
    if len(text) > MAX_LENGTH:
        raise FormulaError('syntax', 'too_long',
            length=len(text), max=MAX_LENGTH)
    try:
        tree = ast.parse(text, mode='eval')
    except SyntaxError as e:
        raise FormulaError('syntax', 'syntax_at', **_position(text, e))
    names = set()
    parents = {child: node for node in ast.walk(tree)
        for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        fragment = _fragment(text, node, parents)
        if not isinstance(node, _NODES):
            raise FormulaError('node', 'construct', fragment=fragment)
        if isinstance(node, ast.Constant) and not isinstance(
                node.value, (int, float, str, bool)):
            raise FormulaError('node', 'construct', fragment=fragment)
        if isinstance(node, (ast.BinOp, ast.UnaryOp)):
            operands = ([node.left, node.right]
                if isinstance(node, ast.BinOp) else [node.operand])
            for type_ in (str, list):
                if any(_type(o, variables) is type_ for o in operands):
                    raise FormulaError('node', f'{type_.__name__}_arithmetic',
                        fragment=fragment)
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or (
                    node.func.id not in FUNCTIONS):
                raise FormulaError('name', 'unknown_function',
                    name=_fragment(text, node.func, parents),
                    functions='、'.join(FUNCTIONS))
            if node.keywords:
                raise FormulaError('name', 'keyword',
                    name=node.func.id, fragment=fragment)
        elif isinstance(node, ast.Name) and node.id not in FUNCTIONS:
            if node.id not in variables:
                raise FormulaError('name', 'unknown_variable', name=node.id)
            names.add(node.id)
    for result in _results(tree.body):
        type_ = _type(result, variables)
        if type_ in (str, list):
            raise FormulaError('node', f'result_{type_.__name__}',
                fragment=_fragment(text, result, parents))
    return compile(tree, '<formula>', 'eval'), frozenset(names)


def _type(node, variables):
    "str or list when the node is known to give one, else None"
    if isinstance(node, ast.Constant):
        return type(node.value) if isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        return variables.get(node.id)
    return None


def _results(node):
    "The nodes whose value can be the formula's result"
    if isinstance(node, ast.IfExp):
        return _results(node.body) + _results(node.orelse)
    return [node]


def _fragment(text, node, parents, width=60):
    """The node's text in the formula, shortened; an operator has none,
    its expression's is shown"""
    while node in parents and not hasattr(node, 'lineno'):
        node = parents[node]
    fragment = ast.get_source_segment(text, node) or text
    if len(fragment) > width:
        fragment = fragment[:width - 1] + '…'
    return fragment


def _position(text, error, width=30):
    "Line, column and the line marked where the parser stopped"
    lines = text.splitlines() or ['']
    line = min(max(error.lineno or 1, 1), len(lines))
    source = lines[line - 1]
    column = error.offset or 0
    if not 1 <= column <= len(source):
        # Python points past the end when the formula stops too soon.
        column = len(source) + 1
    before = source[max(column - 1 - width, 0):column - 1]
    after = source[column - 1:column - 1 + width]
    return {
        'line': line,
        'column': column,
        'fragment': f'{before}【此处】{after}',
        }


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
        raise FormulaError('node', 'not_number', value=str(result)[:60])
    return result
