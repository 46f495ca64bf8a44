# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import hashlib

from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.modules.laisui_base.upload import validate_upload
from trytond.pyson import Eval


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
            data = bytes(values['data'])
            # Content decides, the client's name is never kept.
            values['mime_type'], values['filename'] = validate_upload(data)
            values['size'] = len(data)
            values['sha256'] = hashlib.sha256(data).hexdigest()
        return values
