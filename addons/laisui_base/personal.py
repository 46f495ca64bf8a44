# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Models holding people's personal data.

Field access (each module's security XML) keeps the full ID and mobile
numbers from every client: over RPC, export_data and REST only the masked
Function fields are readable. This mixin adds what field access cannot do:
an audit row for each export and each bulk read with its row count, and for
each change of who a person is (name, ID number, mobile) with the old and
new values masked.
"""
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from .identity import mask_name, mask_text

# A client page is 80 rows at most (sao's default limit is 1,000 for
# exports only): more than this in one read is a bulk read.
BULK_READ = 200


def _mask(field_name, value):
    if value is None:
        return None
    if field_name == 'name':
        return mask_name(value)
    return mask_text(str(value))


class PersonalDataMixin:
    "Audits exports, bulk reads and identity edits of a model's records"
    __slots__ = ()
    # Fields whose change changes who the record is about.
    _identity_fields = ('name', 'id_number', 'phone')

    @classmethod
    def _client_call(cls):
        transaction = Transaction()
        return bool(transaction.user and transaction.check_access)

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        if cls._client_call() and len(result) > BULK_READ:
            cls._audit_bulk('bulk_read', len(result), fields_names)
        return result

    @classmethod
    def export_data(cls, records, fields_names, header=False):
        result = super().export_data(records, fields_names, header=header)
        if cls._client_call():
            cls._audit_bulk('export', len(records),
                ['/'.join(f) if isinstance(f, (list, tuple)) else f
                    for f in fields_names])
        return result

    @classmethod
    def _audit_bulk(cls, action, count, fields_names):
        Pool().get('laisui.audit.log').log(action, resource=cls.__name__,
            to_value=str(count),
            detail=', '.join(sorted(map(str, fields_names))))

    @classmethod
    def write(cls, *args):
        identity = [f for f in cls._identity_fields if f in cls._fields]
        before = {}
        actions = iter(args)
        for records, values in zip(actions, actions):
            changed = [f for f in identity if f in values]
            for record in records:
                before.setdefault(record.id, {}).update(
                    (f, getattr(record, f)) for f in changed)
        super().write(*args)
        cls._audit_identity(before)

    @classmethod
    def _audit_identity(cls, before):
        entries = []
        for record in cls.browse(list(before)):
            for field_name, old in before[record.id].items():
                new = getattr(record, field_name)
                if new != old:
                    entries.append({
                            'action': 'write',
                            'resource': str(record),
                            'from_value': _mask(field_name, old),
                            'to_value': _mask(field_name, new),
                            'detail': field_name,
                            })
        if entries:
            Pool().get('laisui.audit.log').log_many(entries)


class MaskedEntryMixin:
    """Function fields that show a stored number masked and take a whole
    new one: a form can show and change a number that no client may read.

    `_masked_entries` maps each such field to (stored field, mask).
    Whoever may write the masked field (its field access) may change the
    number; the masked text sent back unchanged changes nothing."""
    __slots__ = ()
    _masked_entries = {}

    def get_masked_entry(self, name):
        stored, mask = self._masked_entries[name]
        return mask(getattr(self, stored))

    @classmethod
    def set_masked_entry(cls, records, name, value):
        stored, _ = cls._masked_entries[name]
        if value and '*' in value:
            return
        # The stored field refuses every client: this setter is the way.
        with without_check_access():
            cls.write(records, {stored: value or None})
