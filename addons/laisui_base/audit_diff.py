# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Changes audited with what they changed: each field's old and new value.

AuditedChangesMixin says which fields a person wrote; for records that
decide applicants' points the trail must also say what they were before.
"""
from trytond.model import fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .audit import AuditedChangesMixin
from .i18n import number_text


class AuditedWritesMixin:
    """Each field a person's write changes is audited: from_value the old
    value, to_value the new one, detail the record and the field.
    One2Many fields are left to their records' own entries."""
    __slots__ = ()
    _audit_action = 'write'
    # Fields with entries of their own (states) or kept by the server.
    _audit_diff_skip = frozenset()
    # Personal fields and the mask of their text: the log keeps only the
    # masked value.
    _audit_diff_masks = {}

    @classmethod
    def on_write(cls, records, values):
        callbacks = super().on_write(records, values)
        if not Transaction().user:
            # Module updates are deployments, not people's changes.
            return callbacks
        names = sorted(n for n in values if cls._audit_diffed(n))
        if not names:
            return callbacks
        masks = cls._audit_diff_masks
        before = {r.id: _texts(r, names, masks) for r in records}

        def log():
            entries = []
            for record in cls.browse(list(before)):
                after = _texts(record, names, masks)
                for name in names:
                    if before[record.id][name] != after[name]:
                        entries.append(diff_entry(record, name,
                                before[record.id][name], after[name],
                                action=cls._audit_action,
                                detail=f'{cls._audit_label(record)}: {name}'))
            Pool().get('laisui.audit.log').log_many(entries)
        callbacks.append(log)
        return callbacks

    @classmethod
    def _audit_label(cls, record):
        "How the entries name the record: masked for a person's records"
        return record.rec_name

    @classmethod
    def _audit_diffed(cls, name):
        field = cls._fields.get(name)
        return (field is not None
            and name not in cls._audit_diff_skip
            and not isinstance(field, (fields.Function, fields.One2Many)))


class AuditedDiffMixin(AuditedWritesMixin, AuditedChangesMixin):
    "As AuditedChangesMixin, with each write's entries giving the values"
    __slots__ = ()

    @classmethod
    def _audit_changes(cls, mode, names, field_names):
        # Writes have their entries with the values, from on_write.
        if mode != 'write':
            super()._audit_changes(mode, names, field_names)


def diff_entry(record, name, old, new, action='write', **values):
    "The audit entry of field `name` of `record` going from `old` to `new`"
    return dict({
            'action': action,
            'resource': str(record),
            'from_value': old,
            'to_value': new,
            'detail': f'{record.rec_name}: {name}',
            }, **values)


def audit_text(field, value):
    """A value of `field` as the audit log shows it: records by their
    name (a Many2One also from its id, as a write sends it), numbers at
    their digits without trailing zeros"""
    if value is None:
        return None
    if isinstance(field, fields.Many2One):
        if isinstance(value, int):
            value = Pool().get(field.model_name)(value)
        return value.rec_name
    if isinstance(field, fields.Many2Many):
        return '、'.join(sorted(v.rec_name for v in value)) or None
    if isinstance(field, fields.Numeric):
        return number_text(value)
    return str(value)


def _texts(record, names, masks=None):
    "The audit texts of the fields, masked where `masks` says"
    masks = masks or {}
    texts = {}
    for name in names:
        text = audit_text(record._fields[name], getattr(record, name))
        if text and name in masks:
            text = masks[name](text)
        texts[name] = text
    return texts
