# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Service guides (办事指南): what an applicant reads before applying.

They are content, not code: district admins edit them in the back office
whenever a rule, a date or a window changes. One guide per service code
(the codes the applications use: points, admission, …); each higher
module seeds the guide of its service. The portal shows them publicly at
/guide and /guide/<code>.
"""
import re

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.model.exceptions import ValidationError

from .audit_diff import AuditedDiffMixin
from .plain_text import blocks

# The code is the last part of the guide's address (/guide/<code>).
_CODE = re.compile(r'[a-z][a-z0-9_]{0,31}')

KINDS = [
    (None, ''),
    ('who_may_apply', "Who May Apply"),
    ('types', "Application Types"),
    ('rules', "Rules"),
    ('process', "Process"),
    ('materials', "Materials"),
    ('timetable', "Timetable"),
    ('windows', "Service Windows"),
    ('faq', "Frequently Asked Questions"),
    ]


class Guide(
        AuditedDiffMixin, DeactivableMixin, sequence_ordered(), ModelSQL,
        ModelView):
    "Service guide (办事指南)"
    __name__ = 'laisui.guide'
    _rec_name = 'title'

    code = fields.Char("Service Code", required=True,
        help="The code of the service the guide explains (points, "
        "admission, …): the portal shows it at /guide/<code>.")
    title = fields.Char("Title", required=True, translate=True)
    summary = fields.Text("Summary", translate=True,
        help="A sentence or two shown under the title in the list of "
        "guides.")
    sections = fields.One2Many('laisui.guide.section', 'guide', "Sections")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'laisui_base.msg_guide_code_unique'),
            ]

    @classmethod
    def validate_fields(cls, guides, field_names):
        super().validate_fields(guides, field_names)
        if field_names and 'code' not in field_names:
            return
        for guide in guides:
            if not _CODE.fullmatch(guide.code or ''):
                raise ValidationError(gettext(
                        'laisui_base.msg_guide_code_invalid',
                        code=guide.code))

    @classmethod
    def get(cls, code):
        "The active guide of the service code, or None"
        guides = cls.search([('code', '=', code)], limit=1)
        return guides[0] if guides else None


class GuideSection(AuditedDiffMixin, sequence_ordered(), ModelSQL, ModelView):
    "Guide section"
    __name__ = 'laisui.guide.section'
    _rec_name = 'heading'

    guide = fields.Many2One(
        'laisui.guide', "Guide", required=True, ondelete='CASCADE')
    kind = fields.Selection(KINDS, "Kind",
        help="What the section is about; a guide's only section of a kind "
        "can be linked to as /guide/<code>#<kind>.")
    heading = fields.Char("Heading", required=True)
    text = fields.Text("Text", required=True,
        help="Plain text: each line is a paragraph; lines starting with "
        "\"- \" are bulleted, lines starting with \"1. \" numbered, a line "
        "starting with \"一、\" is a heading.")

    @property
    def anchor(self):
        """The id of the section on its page: its kind when no other
        section of the guide has it, so that other pages can link to it"""
        if self.kind and [s.kind for s in self.guide.sections].count(
                self.kind) == 1:
            return self.kind
        return f'section-{self.id}'

    def blocks(self):
        return blocks(self.text)
