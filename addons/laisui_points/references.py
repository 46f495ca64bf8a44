# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What keeps a record from being deleted.

A Many2One with ondelete RESTRICT makes the database refuse to delete the
record it points to, with an error no applicant can read. The portal asks
first, over the models of every activated module (an integrity appeal's
material, an admission application's child), and names them instead.
"""
from trytond.i18n import gettext
from trytond.model import ModelSQL, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import ReferencedError


def restricting_models(record):
    """The names, in the user's language, of the kinds of records that
    keep `record` through a RESTRICT foreign key, sorted"""
    pool = Pool()
    IrModel = pool.get('ir.model')
    found = set()
    with Transaction().set_context(active_test=False):
        for name, Model in pool.iterobject():
            if (not issubclass(Model, ModelSQL)
                    or Model._is_table_query()):
                continue
            for field_name, field in Model._fields.items():
                if (isinstance(field, fields.Many2One)
                        and field.model_name == record.__name__
                        and field.ondelete == 'RESTRICT'
                        and Model.search(
                            [(field_name, '=', record.id)], limit=1)):
                    found.add(name)
                    break
    if not found:
        return []
    models = IrModel.search([('name', 'in', sorted(found))])
    return sorted(m.string for m in models)


def check_deletable(record, label):
    """ReferencedError naming what keeps `record` (which the applicant
    knows as `label`), if anything does"""
    models = restricting_models(record)
    if models:
        raise ReferencedError(gettext('laisui_points.msg_portal_referenced',
                record=label, documents='”、“'.join(models)))
