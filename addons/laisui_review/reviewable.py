# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What a document needs to be reviewed through a workflow.

A reviewable model (points requests here; admission and service
applications in their own modules) inherits ReviewableMixin, registers in
the pool as usual and fills in the review_* hooks. The case engine only
talks to documents through these hooks.
"""
from trytond.model import fields
from trytond.pool import Pool


class ReviewableMixin:
    __slots__ = ()

    review_case = fields.Many2One('laisui.review.case', "Review Case",
        readonly=True, ondelete='RESTRICT')
    review_stage = fields.Function(
        fields.Char("Review Stage"), 'get_review_stage')

    # What the applicant's messages call the document.
    _review_label = ''
    # Names and types a workflow condition may read, e.g.
    # {'application_type': str}; review_variables() gives the values.
    _review_variables = {}

    def get_review_stage(self, name):
        case = self.review_case
        if case:
            return case.stage.name if case.state == 'open' else (
                case.state_string)

    def review_applicant(self):
        "The applicant the case is about"
        raise NotImplementedError

    def review_line_values(self):
        """Values of the indicator lines to review: dicts with indicator,
        department, sequence, declared_points and facts."""
        return []

    @staticmethod
    def indicator_line_values(lines, points):
        """review_line_values() of statement-like lines (indicator,
        department, sequence, facts_used): those whose points(line) is not
        zero, declared with those points"""
        return [{
                'indicator': l.indicator.id,
                'department': l.department.id if l.department else None,
                'sequence': l.sequence,
                'declared_points': points(l),
                'facts': l.facts_used,
                } for l in lines if points(l)]

    def review_workflow_scope(self):
        """The scope of the workflow that reviews this document (see
        laisui.review.workflow scope); None: the type's general one"""
        return None

    def review_check_decision(self, event):
        """Raise a UserError when a person may not take the decision
        event ('pass', 'return', 'reject') on this document now"""

    def review_variables(self):
        "Values of _review_variables for this document"
        return {}

    @classmethod
    def review_returned(cls, documents, items):
        """The case was returned for correction with these items (text):
        the applicant gets one SMS with their count"""
        Message = Pool().get('laisui.sms.message')
        for document in documents:
            phone = document.review_applicant().phone
            if phone:
                Message.queue(phone, 'review_returned', {
                        'document': cls._review_label,
                        'count': len(items),
                        }, check_rate=False)

    @classmethod
    def review_resumed(cls, documents):
        "The case is under review again after a correction"

    @classmethod
    def review_finished(cls, documents, outcome):
        "The case ended: outcome is 'approved' or 'rejected'"

    @classmethod
    def start_review(cls, documents):
        "Open a case for each document with the active workflow"
        Case = Pool().get('laisui.review.case')
        cases = Case.start(documents)
        for document, case in zip(documents, cases):
            document.review_case = case
        cls.save(documents)
        return cases
