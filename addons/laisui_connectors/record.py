# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.modules.laisui_base.identity import mask_id_number
from trytond.modules.laisui_base.personal import PersonalDataMixin


# Columns without a foreign key in the database. A load inserts tens of
# thousands of rows that all point at one dataset, one run and a few
# streets, read at the start of the run: PostgreSQL's per-row key checks
# cost as much as the rest of the insert. Tryton's delete() still applies
# their ondelete (CASCADE, SET NULL), as it does on SQLite, which has no
# foreign keys at all.
UNCHECKED = {'dataset', 'run', 'district', 'street'}


class ExternalRecord(PersonalDataMixin, ModelSQL, ModelView):
    """Clean copy of one record of an external system (外部数据)

    Loaded only by runs (upsert by the dataset's natural key); read by the
    points, the automatic review and the staff.
    """
    __name__ = 'laisui.connector.record'
    # Copies of the source: their changes are the runs' history.
    _identity_fields = ()

    dataset = fields.Many2One('laisui.connector.dataset', "Dataset",
        required=True, readonly=True, ondelete='CASCADE')
    # A digest of the natural key's values: unique, short and without the
    # ID number in clear.
    key = fields.Char("Natural Key", required=True, readonly=True)
    applicant = fields.Many2One('laisui.applicant', "Applicant",
        readonly=True, ondelete='SET NULL')
    id_number = fields.Char("ID Number", readonly=True, loading='lazy')
    id_number_masked = fields.Function(
        fields.Char("ID Number"), 'get_id_number_masked')
    name = fields.Char("Name", readonly=True)
    reference = fields.Char("External Reference", readonly=True)
    date_from = fields.Date("From", readonly=True)
    date_to = fields.Date("To", readonly=True)
    district = fields.Many2One('laisui.district', "District",
        readonly=True, ondelete='SET NULL')
    street = fields.Many2One('laisui.street', "Street", readonly=True,
        ondelete='SET NULL')
    address = fields.Char("Address", readonly=True)
    level = fields.Char("Level", readonly=True)
    quantity = fields.Numeric("Quantity", digits=(16, 2), readonly=True)
    flag = fields.Boolean("Flag", readonly=True)
    description = fields.Char("Description", readonly=True)
    extra = fields.Text("Other Fields", readonly=True)
    digest = fields.Char("Digest", readonly=True)
    run = fields.Many2One('laisui.connector.run', "Last Changed By",
        readonly=True, ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('key_unique', Unique(t, t.dataset, t.key),
                'laisui_connectors.msg_record_key_unique'),
            ]
        # Records are found by key, ID number and applicant, never by the
        # beginning of a name: drop the index Tryton makes for _rec_name,
        # which every load would maintain for nothing.
        cls._sql_indexes = {i for i in cls._sql_indexes
            if not any(isinstance(u, Index.Similarity)
                for _, u in i.expressions)}
        # Tryton indexes the applicant already (a Many2One).
        cls._sql_indexes.add(Index(t, (t.id_number, Index.Equality())))
        cls._order = [('dataset', 'ASC'), ('date_from', 'DESC'),
            ('id', 'DESC')]

    @classmethod
    def __table_handler__(cls, module_name=None, history=False):
        table = super().__table_handler__(module_name, history)
        add_fk = table.add_fk

        def add_checked_fk(columns, *args, **kwargs):
            if columns not in UNCHECKED:
                add_fk(columns, *args, **kwargs)
        table.add_fk = add_checked_fk
        return table

    @classmethod
    def __register__(cls, module_name):
        super().__register__(module_name)
        table = cls.__table_handler__(module_name)
        # Migration from the foreign keys of earlier versions
        for column in UNCHECKED:
            table.drop_fk(column)

    def get_id_number_masked(self, name):
        return mask_id_number(self.id_number)

    def get_rec_name(self, name):
        return ' '.join(filter(None, [self.dataset.code,
                    self.reference or self.id_number_masked,
                    str(self.date_from or '')]))
