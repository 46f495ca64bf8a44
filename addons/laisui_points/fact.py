# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval

SOURCES = [
    ('declared', "Declared"),
    ('evidence', "Evidence Checked"),
    ('external', "External Data"),
    ]
# Stronger sources win when a line shows where its facts came from.
SOURCE_RANK = {'declared': 0, 'evidence': 1, 'external': 2}

KINDS = [
    ('residence_owned', "Owned Residence"),
    ('residence_rented', "Rented Residence"),
    ('residence_dormitory', "Employer Dormitory"),
    ('employment', "Employment Registration"),
    ('business', "Business Registration"),
    ('insurance', "Social Insurance Period"),
    ('education', "Education"),
    ('skill', "Skill or Professional Title"),
    ('patent_invention', "Invention Patent"),
    ('patent_utility', "Utility Model Patent"),
    ('patent_design', "Design Patent"),
    ('hightech_job', "High-tech Enterprise Job"),
    ('urgent_trade', "Urgently Needed Trade"),
    ('volunteer', "Volunteer Service"),
    ('blood_donation', "Blood Donation"),
    ('tax', "Personal Income Tax"),
    ('award', "Award"),
    ('credit', "Bad Credit Record"),
    ('violation', "Violation"),
    ]
# Codes of `level` per kind; the formulas compare with these.
LEVELS = {
    'insurance': [
        ('pension', "Pension"),
        ('medical', "Medical"),
        ('unemployment', "Unemployment"),
        ('injury', "Work Injury"),
        ('maternity', "Maternity"),
        ],
    'education': [
        ('highschool', "High School or Secondary Vocational"),
        ('college', "Junior College"),
        ('bachelor', "Bachelor"),
        ('master', "Master"),
        ('doctor', "Doctor"),
        ],
    'skill': [
        ('basic', "Intermediate Worker"),
        ('junior', "Junior Title or Senior Worker"),
        ('senior', "Intermediate Title, Technician or Above"),
        ],
    'award': [
        ('national', "National"),
        ('provincial', "Provincial or Ministry"),
        ('city', "City"),
        ('district', "District or City Bureau"),
        ],
    'violation': [
        ('tax_evasion', "Tax Evasion"),
        ('public_security', "Public Security Penalty"),
        ],
    }
LEVEL_SELECTION = [(None, '')] + sorted(
    {code: label for levels in LEVELS.values()
        for code, label in levels}.items())
# What `flag` means for the kinds that use it.
FLAG_KINDS = {'residence_rented', 'skill', 'patent_invention',
    'patent_utility', 'patent_design', 'urgent_trade'}
QUANTITY_KINDS = {'patent_invention', 'patent_utility', 'patent_design',
    'volunteer', 'blood_donation', 'tax'}
# Deductions: recorded by departments, never declared by the applicant.
DEPARTMENT_KINDS = {'credit', 'violation'}


class Fact(ModelSQL, ModelView):
    "Applicant fact used by the points indicators"
    __name__ = 'laisui.fact'

    applicant = fields.Many2One(
        'laisui.applicant', "Applicant", required=True, ondelete='CASCADE')
    kind = fields.Selection(KINDS, "Kind", required=True)
    kind_string = kind.translated('kind')
    date_from = fields.Date("From")
    date_to = fields.Date("To",
        help="Empty while it lasts; the date itself for one-off facts.")
    district = fields.Many2One('laisui.district', "District")
    street = fields.Many2One('laisui.street', "Street",
        domain=[('district', '=', Eval('district', -1))])
    level = fields.Selection(LEVEL_SELECTION, "Level")
    level_string = level.translated('level')
    quantity = fields.Numeric("Quantity", digits=(16, 2),
        help="Inventors of a patent, hours of volunteering, yuan of tax.")
    flag = fields.Boolean("Flag",
        help="Rental registered (备案); works in the skill's trade; "
        "first inventor; front-line hardship trade.")
    description = fields.Char("Description")
    source = fields.Selection(SOURCES, "Source", required=True)
    source_string = source.translated('source')
    external_reference = fields.Char("External Reference", readonly=True,
        help="The record of the source system this fact was loaded from.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order.insert(0, ('date_from', 'DESC'))
        cls._sql_indexes.add(
            Index(t, (t.applicant, Index.Equality()),
                (t.kind, Index.Equality())))

    @classmethod
    def default_source(cls):
        return 'declared'

    def get_rec_name(self, name):
        kind = dict(KINDS)[self.kind] if self.kind else ''
        return f'{kind} {self.date_from or ""}'.strip()

    @property
    def declared_by_applicant(self):
        """Whether the applicant declared the fact and so may change or
        delete it; what departments and source systems recorded is theirs"""
        return self.source == 'declared' and self.kind not in DEPARTMENT_KINDS

    def value_errors(self):
        """{field name: message} of what is wrong with the fact's values,
        in the order of the form; the portal shows them all at once."""
        errors = {}
        if not (self.date_from or self.date_to):
            errors['date_from'] = gettext(
                'laisui_points.msg_fact_date_required')
        elif (self.date_from and self.date_to
                and self.date_to < self.date_from):
            errors['date_to'] = gettext('laisui_points.msg_period_dates')
        # A level is required where the kind has levels, refused where it
        # has none: no formula would read it.
        allowed = {c for c, _ in LEVELS.get(self.kind, [])}
        if (self.level not in allowed) if allowed else self.level:
            errors['level'] = gettext(
                'laisui_points.msg_fact_level' if allowed
                else 'laisui_points.msg_fact_no_level',
                kind=self.kind_string)
        if self.quantity is not None and self.quantity < 0:
            errors['quantity'] = gettext('laisui_points.msg_fact_quantity')
        return errors

    @classmethod
    def validate_fields(cls, facts, field_names):
        super().validate_fields(facts, field_names)
        for fact in facts:
            errors = fact.value_errors()
            if errors:
                raise ValidationError(next(iter(errors.values())))

    @classmethod
    def on_modification(cls, mode, facts, field_names=None):
        super().on_modification(mode, facts, field_names)
        Pool().get('laisui.points.statement').mark_dirty(
            [f.applicant for f in facts])
