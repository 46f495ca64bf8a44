# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.modules.laisui_base.audit_diff import AuditedWritesMixin
from trytond.modules.laisui_base.identity import (
    InvalidIdNumber, id_number_birth_date, id_number_sex, mask_address,
    mask_id_number, mask_name, mask_phone, masked_id_pattern,
    normalize_id_number)
from trytond.modules.laisui_base.personal import (
    MaskedEntryMixin, PersonalDataMixin)
from trytond.modules.laisui_base.validation import (
    PhoneMixin, checked_id_number, checked_phone)
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import DeclarationLockedError

SEXES = [
    (None, ''),
    ('male', "Male"),
    ('female', "Female"),
    ]


class IdentityMixin:
    "ID number with the sex and birth date it implies, masked for display"
    __slots__ = ()
    name = fields.Char("Name", required=True)
    # Lazy as PhoneMixin.phone: no client may read it.
    id_number = fields.Char("ID Number", loading='lazy')
    id_number_masked = fields.Function(
        fields.Char("ID Number"), 'get_id_number_masked')
    sex = fields.Selection(SEXES, "Sex", readonly=True)
    birth_date = fields.Date("Birth Date", readonly=True)

    def get_id_number_masked(self, name):
        return mask_id_number(self.id_number)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('id_number'):
            number = checked_id_number(values['id_number'])
            values['id_number'] = number
            values['sex'] = id_number_sex(number)
            values['birth_date'] = id_number_birth_date(number)
        return values


class Applicant(
        AuditedWritesMixin, PersonalDataMixin, MaskedEntryMixin, PhoneMixin,
        IdentityMixin, ModelSQL, ModelView):
    "Applicant (申请人)"
    __name__ = 'laisui.applicant'
    _masked_entries = {'contact_phone_masked': ('contact_phone', mask_phone)}
    # Who the applicant is has its own entries (PersonalDataMixin); the
    # other personal fields are in the history masked.
    _audit_diff_skip = frozenset(PersonalDataMixin._identity_fields)
    _audit_diff_masks = {
        'address': mask_address,
        'contact_phone': mask_phone,
        'party': mask_name,
        }

    party = fields.Many2One('party.party', "Party", ondelete='RESTRICT')
    web_user = fields.Many2One(
        'web.user', "Portal Account", ondelete='RESTRICT', readonly=True)
    street = fields.Many2One('laisui.street', "Street",
        help="Yuexiu street of residence.")
    address = fields.Char("Address",
        help="Where the applicant lives: street, building, flat.")
    employer = fields.Char("Employer")
    # A second number to reach the applicant; kept like `phone`, which is
    # the account's and cannot change here. No client reads it whole: the
    # window clerk changes it through the masked field (security.xml).
    contact_phone = fields.Char("Contact Phone", loading='lazy')
    contact_phone_masked = fields.Function(fields.Char("Contact Phone",
            help="Type a whole new number to change it."),
        'get_masked_entry', setter='set_masked_entry')
    permits = fields.One2Many(
        'laisui.residence.permit', 'applicant', "Residence Permits")
    family = fields.One2Many(
        'laisui.family.member', 'applicant', "Family")
    facts = fields.One2Many('laisui.fact', 'applicant', "Facts")
    evidences = fields.One2Many('laisui.evidence', 'applicant', "Evidence")
    statement = fields.Function(fields.Many2One(
            'laisui.points.statement', "Points Statement"), 'get_statement')
    points = fields.Function(fields.Numeric(
            "Points", digits=(16, 2)), 'get_points')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.id_number.required = True
        cls._sql_constraints += [
            ('id_number_unique', Unique(t, t.id_number),
                'laisui_points.msg_applicant_id_number_unique'),
            ('phone_unique', Unique(t, t.phone),
                'laisui_points.msg_applicant_phone_unique'),
            ('web_user_unique', Unique(t, t.web_user),
                'laisui_points.msg_applicant_web_user_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.street, Index.Equality())))

    def get_rec_name(self, name):
        return f'{self.name} {self.id_number_masked}'

    @classmethod
    def _audit_label(cls, applicant):
        return f'{mask_name(applicant.name)} {applicant.id_number_masked}'

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('contact_phone'):
            values['contact_phone'] = checked_phone(values['contact_phone'])
        return values

    @classmethod
    def search_rec_name(cls, name, clause):
        """By name, or by a whole ID number or its masked form; never by a
        part of the number, which would let a client guess it digit by
        digit (clients may not read the number itself)."""
        _, operator, value = clause[:3]
        domain = ['OR', ('name', operator, value)]
        if isinstance(value, str) and operator in {'=', 'ilike', 'like'}:
            text = value.strip('%')
            try:
                domain.append(('id_number', '=', normalize_id_number(text)))
            except InvalidIdNumber:
                pattern = masked_id_pattern(text)
                if pattern:
                    domain.append(('id_number', 'like', pattern))
        return domain

    def check_can_apply(self, service, date=None, staff=False):
        """Raise a UserError if the applicant may not apply for `service`
        (a code such as 'admission') on `date`, today by default.

        Submissions and review decisions call it; modules that can bar an
        applicant (laisui_integrity) extend it. `staff` asks for the message
        meant for staff rather than for the applicant.
        """

    def documents_under_review(self):
        """Labels of the applicant's documents under review (state
        'review'), e.g. ['积分核定申请 P2026-000012'].

        Reviewers check what the applicant declared (profile, family,
        facts, evidence): while a review is under way the applicant may not
        change or delete it; once it ends, or returns the document for
        correction, they may. Modules with reviewed documents extend it.
        """
        return []

    def check_declarations_editable(self, adding=False):
        """DeclarationLockedError naming the documents under review, if any.

        Adding a fact is refused too: it would change the statement the
        review is scoring."""
        documents = self.documents_under_review()
        if documents:
            raise DeclarationLockedError(gettext(
                    'laisui_points.msg_fact_add_under_review' if adding
                    else 'laisui_points.msg_declarations_under_review',
                    documents='”、“'.join(documents)))

    def family_member_drafts(self, member):
        """The applicant's unsubmitted drafts that name the family member.

        Deleting the member deletes them: a draft for a child no longer
        recorded could never be submitted. Submitted documents keep the
        member (it cannot be deleted). Modules with such drafts extend it.
        """
        return []

    @classmethod
    def get_statement(cls, applicants, name):
        Statement = Pool().get('laisui.points.statement')
        result = dict.fromkeys(map(int, applicants))
        for statement in Statement.search(
                [('applicant', 'in', list(result))]):
            result[statement.applicant.id] = statement.id
        return result

    @classmethod
    def get_points(cls, applicants, name):
        return {a.id: a.statement.total if a.statement else None
            for a in applicants}

    @classmethod
    def on_modification(cls, mode, applicants, field_names=None):
        super().on_modification(mode, applicants, field_names)
        if mode == 'create' or (mode == 'write' and (
                    field_names is None or 'id_number' in field_names)):
            # Age comes from the ID number: a statement from day one.
            Pool().get('laisui.points.statement').mark_dirty(applicants)

    @classmethod
    def for_web_user(cls, web_user):
        "The applicant record of a portal account, or None"
        if not web_user:
            return None
        with Transaction().set_user(0):
            applicants = cls.search([('web_user', '=', web_user.id)], limit=1)
        return applicants[0] if applicants else None
