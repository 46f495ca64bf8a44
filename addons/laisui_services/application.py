# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Service applications (公共服务申请): the portal pattern of every online
application (draft → 核对信息 → SMS code → submit → confirmation), reviewed
through the workflow of the service (laisui.review.workflow scope = the
service's code, else the general one).

An application is pinned to the version of the service it started on. At
most one application per service is open (draft, under review or returned)
per applicant; an approved one bars another for the same session, or for a
service without sessions while its voucher is valid (or when it has none).
"""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.exceptions import FormAnswersError
from trytond.modules.laisui_base.form_answers import FormAnswersMixin
from trytond.modules.laisui_base.identity import mask_id_number
from trytond.modules.laisui_base.portal import CSRF_FIELD
from trytond.modules.laisui_base.state_guard import state_guard
from trytond.modules.laisui_review.confirmation import (
    ConfirmedSubmissionMixin)
from trytond.modules.laisui_review.document import (
    STATES as REVIEW_STATES, ReviewedDocumentMixin)
from trytond.pool import Pool
from trytond.pyson import Eval

from . import voucher as vouchers
from .condition import ApplicantFacts, failures
from .exceptions import ApplicationError

STATES = REVIEW_STATES + [
    ('approved', "Approved"),
    ('rejected', "Rejected"),
    ('withdrawn', "Withdrawn"),
    ]
PLACES = [
    (None, ""),
    ('confirmed', "Place Confirmed"),
    ('waiting', "Waiting List"),
    ]
ATTENDANCE = [
    (None, "Not Recorded"),
    ('attended', "Attended"),
    ('absent', "Absent"),
    ]
OPEN_STATES = ['draft', 'review', 'returned']


class Application(FormAnswersMixin, ConfirmedSubmissionMixin,
        ReviewedDocumentMixin, Workflow, ModelSQL, ModelView):
    "Service application (公共服务申请)"
    __name__ = 'laisui.service.application'
    _review_label = '公共服务申请'
    _review_variables = {'service': str, 'category': str}

    number = fields.Function(fields.Char("Number"), 'get_number')
    applicant = fields.Many2One('laisui.applicant', "Applicant",
        required=True, ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'draft'})
    service = fields.Many2One('laisui.service', "Service", required=True,
        ondelete='RESTRICT', readonly=True)
    version = fields.Many2One('laisui.service.version', "Version",
        required=True, ondelete='RESTRICT', readonly=True,
        help="The version of the service the application started on: its "
        "form, conditions and materials.")
    session = fields.Many2One('laisui.service.session', "Session",
        ondelete='RESTRICT',
        domain=[('service', '=', Eval('service', -1))],
        states={'readonly': Eval('state') != 'draft'})
    place = fields.Selection(PLACES, "Place", readonly=True)
    place_string = place.translated('place')
    attendance = fields.Selection(ATTENDANCE, "Attendance", readonly=True)
    attendance_string = attendance.translated('attendance')
    voucher = fields.Many2One('laisui.credential', "Voucher", readonly=True,
        ondelete='RESTRICT')
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    state_string = state.translated('state')
    eligibility = fields.Function(fields.Text("Eligibility Now",
            help="Each condition of the version against the applicant's "
            "records today."), 'get_eligibility')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.applicant, Index.Equality()),
                    (t.service, Index.Equality())),
                Index(t, (t.session, Index.Equality()),
                    (t.state, Index.Equality())),
                })
        cls._transitions |= {
            ('review', 'withdrawn'),
            ('returned', 'withdrawn'),
            ('approved', 'withdrawn'),
            }
        cls._buttons.update({
                'withdraw': {
                    'invisible': ~Eval('state').in_(
                        ['review', 'returned', 'approved']),
                    'depends': ['state'],
                    },
                'record_attended': {
                    'invisible': (Eval('state') != 'approved')
                    | ~Eval('session'),
                    'depends': ['state', 'session'],
                    },
                'record_absent': {
                    'invisible': (Eval('state') != 'approved')
                    | ~Eval('session'),
                    'depends': ['state', 'session'],
                    },
                })

    @classmethod
    def check_modification(cls, mode, applications, values=None,
            external=False):
        super().check_modification(
            mode, applications, values=values, external=external)
        # People choose the session of a draft; the rest is the server's.
        if external and mode != 'create' and (
                any(a.state != 'draft' for a in applications)
                or set(values or {}) - {'session'}):
            raise ApplicationError(gettext(
                    'laisui_services.msg_application_readonly'))

    def get_number(self, name):
        "The number the applicant quotes: S, the year it was made, the id"
        made = self.submitted_at or self.create_date or clock.now()
        return f'S{clock.to_local(made).year}-{self.id:06d}'

    def get_rec_name(self, name):
        return f'{self.service.name} {self.number}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('service.name',) + tuple(clause[1:])]

    # Drafts ------------------------------------------------------------
    @classmethod
    def draft_for(cls, applicant, service):
        """The applicant's one draft for the service, pinned to its version
        in force now: made when there is none, refused when the applicant
        may not apply (ApplicationError)"""
        drafts = cls.search([
                ('applicant', '=', applicant.id),
                ('service', '=', service.id),
                ('state', '=', 'draft'),
                ], limit=1)
        if drafts:
            return drafts[0]
        version = service.current_version
        if not version:
            raise ApplicationError(gettext(
                    'laisui_services.msg_service_closed',
                    service=service.name))
        draft = cls(applicant=applicant, service=service, version=version,
            session=None)
        draft.check_not_applied()
        draft.save()
        return draft

    def check_not_applied(self):
        "Raise ApplicationError when another application bars this one"
        others = self.search([
                ('id', '!=', self.id or -1),
                ('applicant', '=', self.applicant.id),
                ('service', '=', self.service.id),
                ('state', 'in', ['review', 'returned', 'approved']),
                ])
        for other in others:
            if other.state != 'approved' or (
                    other.session == self.session if self.session
                    else not other.voucher or other.voucher.state == 'valid'):
                raise ApplicationError(gettext(
                        'laisui_services.msg_applied',
                        service=self.service.name, number=other.number,
                        state=other.state_string))

    def get_eligibility(self, name):
        failed = self.failures()
        if not failed:
            return gettext('laisui_services.msg_eligible')
        return '\n'.join(f'✗ {reason}' + (f'（{shown}）' if shown else '')
            for reason, _, shown in failed)

    # Confirmation ------------------------------------------------------
    def failures(self):
        "(reason, evidence, shown) of each condition not met now"
        return failures(self.version, self.applicant)

    def check_submittable(self):
        super().check_submittable()
        version = self.version
        if version.state != 'published':
            raise ApplicationError(gettext(
                    'laisui_services.msg_version_retired',
                    service=self.service.name))
        if version.form and self.form != version.form:
            raise ApplicationError(gettext(
                    'laisui_services.msg_form_unanswered'))
        self.applicant.check_can_apply(self.service.code)
        self.check_not_applied()
        if version.sessions_required:
            if not self.session:
                raise ApplicationError(gettext(
                        'laisui_services.msg_session_required'))
            if not self.session.open:
                raise ApplicationError(gettext(
                        'laisui_services.msg_session_closed',
                        session=self.session.rec_name))
        if version.voucher == 'points' and not self.applicant.statement:
            raise ApplicationError(gettext(
                    'laisui_services.msg_no_statement'))
        missing = self.missing_materials()
        if missing:
            raise ApplicationError(gettext(
                    'laisui_services.msg_missing_materials',
                    types='、'.join(t.name for t in missing)))
        reasons = [reason for reason, _, _ in self.failures()]
        if reasons:
            raise ApplicationError(gettext(
                    'laisui_services.msg_not_eligible',
                    reasons='；'.join(reasons)))

    def missing_materials(self):
        return ApplicantFacts(self.applicant, self.version).missing_materials()

    def prepare_confirmation(self):
        super().prepare_confirmation()
        Statement = Pool().get('laisui.points.statement')
        # The points conditions read the statement: up to date first.
        if any(c.kind in {'points', 'variable'}
                for c in self.version.conditions):
            Statement.compute([self.applicant])

    def confirmation_summary(self):
        applicant = self.applicant
        rows = [('服务事项', self.version.rec_name),
            ('申请人', applicant.name),
            ('身份证号', mask_id_number(applicant.id_number))]
        if self.session:
            rows.append(('场次', self.session.rec_name))
        by_type = {}
        for evidence in applicant.evidences:
            by_type.setdefault(evidence.type, evidence)
        for material in self.version.materials:
            evidence = by_type.get(material.type)
            rows.append((material.type.name, gettext(
                        'laisui_services.msg_summary_material',
                        uploaded=_local(evidence.create_date))
                    if evidence else gettext(
                        'laisui_services.msg_summary_no_material')))
        return rows + self.answer_rows()

    def take_answers(self, data, files=None):
        """Validate the answers posted (an HTML form post of
        form_fields.html) against the version's form and keep them with
        its definition: {input: zh_CN message} when refused, else {}"""
        form = self.version.form
        if not form:
            return {}
        answers = form.parse_post(data, files)
        # What the page never asks is refused as an unknown answer, not
        # dropped: the page's own inputs are the CSRF token and _names.
        asked = {spec['name'] for spec in form.validator().definition}
        for key in data:
            if (key.split('.', 1)[0] not in asked and key != CSRF_FIELD
                    and not key.startswith('_')):
                answers[key] = data[key]
        try:
            self.store_answers(self, form, answers, today=clock.today())
        except FormAnswersError as e:
            return e.errors
        return {}

    # Submission and review ---------------------------------------------
    @classmethod
    @state_guard('draft')
    @ModelView.button
    def submit(cls, applications):
        Session = Pool().get('laisui.service.session')
        for application in applications:
            application.check_submittable()
        sessions = sorted({a.session for a in applications if a.session},
            key=lambda s: s.id)
        # Places of one session are given one submission at a time.
        if sessions:
            Session.lock(sessions)
        for application in applications:
            if application.session:
                session = Session(application.session.id)
                application.place = session.place_for_next()
                application.save()
        cls.submit_for_review(applications)

    def review_applicant(self):
        return self.applicant

    def review_workflow_scope(self):
        return self.service.code

    def review_variables(self):
        return {'service': self.service.code,
            'category': self.service.category}

    def review_check_decision(self, event):
        "Passed only while the applicant still meets every condition"
        if event != 'pass':
            return
        reasons = [reason for reason, _, _ in self.failures()]
        if reasons:
            raise ApplicationError(gettext(
                    'laisui_services.msg_no_longer_eligible',
                    application=self.rec_name, reasons='；'.join(reasons)))

    @classmethod
    def review_finished(cls, applications, outcome):
        super().review_finished(applications, outcome)
        if outcome == 'approved':
            vouchers.issue([a for a in applications
                    if a.version.voucher in {'approval', 'points'}])
        else:
            cls.release_places(applications)

    @classmethod
    @state_guard('review', 'returned', 'approved')
    @ModelView.button
    def withdraw(cls, applications):
        "Withdrawn by the applicant: the place and the voucher go with it"
        approved = [a for a in applications if a.state == 'approved']
        under_review = [a for a in applications if a.state != 'approved']
        if under_review:
            cls.withdraw_review(under_review)
        if approved:
            cls._set_state(approved, 'withdrawn')
        vouchers.revoke_for(applications, gettext(
                'laisui_services.msg_revoked_withdrawn'))
        cls.release_places(applications)

    @classmethod
    def release_places(cls, applications):
        """The places the applications held go to the first of each
        session's waiting list, who is told by SMS"""
        pool = Pool()
        Session = pool.get('laisui.service.session')
        Message = pool.get('laisui.sms.message')
        AuditLog = pool.get('laisui.audit.log')
        freed = [a for a in applications if a.place == 'confirmed']
        cls.write(applications, {'place': None})
        sessions = sorted({a.session for a in freed}, key=lambda s: s.id)
        if not sessions:
            return
        Session.lock(sessions)
        promoted = []
        for session in Session.browse(sessions):
            left = session.left
            if left <= 0:
                continue
            promoted.extend(cls.search([
                        ('session', '=', session.id),
                        ('place', '=', 'waiting'),
                        ('state', 'in', ['review', 'returned', 'approved']),
                        ], order=[('submitted_at', 'ASC'), ('id', 'ASC')],
                    limit=left))
        if not promoted:
            return
        cls.write(promoted, {'place': 'confirmed'})
        AuditLog.log_many([{'action': 'write', 'resource': str(a),
                    'from_value': 'waiting', 'to_value': 'confirmed'}
                for a in promoted])
        Message.queue_many([(a.applicant.phone, 'service_place', {
                        'service': a.service.name,
                        'session': a.session.rec_name,
                        'number': a.number,
                        }) for a in promoted if a.applicant.phone])

    @classmethod
    @ModelView.button
    def record_attended(cls, applications):
        cls._record_attendance(applications, 'attended')

    @classmethod
    @ModelView.button
    def record_absent(cls, applications):
        cls._record_attendance(applications, 'absent')

    @classmethod
    def _record_attendance(cls, applications, attendance):
        """Attendance of an approved place in a session, recorded by staff;
        an attendance voucher (a training certificate) follows it"""
        pool = Pool()
        AuditLog = pool.get('laisui.audit.log')
        applications = cls.browse(applications)
        cls.lock(applications)
        for application in applications:
            if (application.state != 'approved' or not application.session
                    or application.place != 'confirmed'):
                raise ApplicationError(gettext(
                        'laisui_services.msg_attendance_state',
                        application=application.rec_name))
        AuditLog.log_many([{'action': 'write', 'resource': str(a),
                    'from_value': a.attendance or '',
                    'to_value': attendance}
                for a in applications if a.attendance != attendance])
        cls.write(applications, {'attendance': attendance})
        if attendance == 'attended':
            vouchers.issue([a for a in applications
                    if a.version.voucher == 'attendance'])
        else:
            vouchers.revoke_for(applications, gettext(
                    'laisui_services.msg_revoked_absent'))


def _local(timestamp):
    return clock.to_local(timestamp).strftime('%Y-%m-%d %H:%M')
