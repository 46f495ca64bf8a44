# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import hashlib
from collections import defaultdict

from sql.aggregate import Count, Sum
from sql.conditionals import Coalesce

from trytond import backend
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.modules.laisui_base.upload import check_quota, validate_upload
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction


class EvidenceType(DeactivableMixin, ModelSQL, ModelView):
    "Evidence type (材料类型)"
    __name__ = 'laisui.evidence.type'

    code = fields.Char("Code", required=True)
    name = fields.Char("Name", required=True, translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'laisui_points.msg_evidence_type_unique'),
            ]


class Evidence(ModelSQL, ModelView):
    "Uploaded evidence file"
    __name__ = 'laisui.evidence'

    applicant = fields.Many2One(
        'laisui.applicant', "Applicant", required=True, ondelete='CASCADE')
    type = fields.Many2One(
        'laisui.evidence.type', "Type", required=True, ondelete='RESTRICT')
    fact = fields.Many2One('laisui.fact', "Fact", ondelete='SET NULL',
        domain=[('applicant', '=', Eval('applicant', -1))])
    # In the filestore, never in the table.
    data = fields.Binary("File", file_id='file_id', filename='filename',
        required=True)
    file_id = fields.Char("File ID", readonly=True)
    filename = fields.Char("File Name", readonly=True)
    mime_type = fields.Char("MIME Type", readonly=True)
    size = fields.Integer("Size", readonly=True)
    sha256 = fields.Char("SHA-256", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('id', 'DESC')]
        cls._sql_indexes.add(Index(t, (t.applicant, Index.Equality())))

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('data') is not None:
            resource, web_user = cls._upload_owner(values.get('applicant'))
            # Content decides, the client's name is never kept; what is
            # stored is the checked (for images re-encoded) content.
            upload = validate_upload(bytes(values['data']),
                resource=resource, web_user=web_user)
            values['data'] = upload.data
            values['mime_type'] = upload.mime_type
            values['filename'] = upload.filename
            values['size'] = len(upload.data)
            values['sha256'] = hashlib.sha256(upload.data).hexdigest()
        return values

    @classmethod
    def _upload_owner(cls, applicant_id):
        "(resource, web user) of an upload for the quarantine record"
        if not applicant_id:
            return None, None
        Applicant = Pool().get('laisui.applicant')
        applicant = Applicant(applicant_id)
        return str(applicant), applicant.web_user

    @classmethod
    def _before_create(cls, vlist):
        vlist = super()._before_create(vlist)
        cls._check_quota(vlist)
        return vlist

    @classmethod
    def _check_quota(cls, vlist):
        "Refuse the new files of an applicant beyond the quota"
        added = defaultdict(lambda: [0, 0])
        for values in vlist:
            if values.get('applicant') and values.get('size'):
                added[values['applicant']][0] += 1
                added[values['applicant']][1] += values['size']
        if not added:
            return
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        stored = {}
        for sub_ids in grouped_slice(list(added), backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.select(
                    table.applicant, Count(table.id),
                    Coalesce(Sum(table.size), 0),
                    where=fields.SQL_OPERATORS['in'](
                        table.applicant, list(sub_ids)),
                    group_by=[table.applicant]))
            stored.update((a, (c, s)) for a, c, s in cursor)
        for applicant, (count, size) in added.items():
            stored_count, stored_size = stored.get(applicant, (0, 0))
            check_quota(stored_count, stored_size, count, size)
