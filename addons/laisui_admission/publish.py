# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Publishing an allocation run (发布), and the early-publication override.

Publishing tells every applicant by SMS and cannot be undone, so the
district admin first reads what it will do: how many are placed, how many
not, how many SMS go out, and what still holds it (an open window,
undecided applications). What holds it can only be passed by a second
district admin, who records why; the checks themselves are in
Run.publish, whoever calls it.
"""
from trytond.model import ModelView, fields
from trytond.pyson import Eval
from trytond.transaction import without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard


class PublishStart(ModelView):
    "Publish Allocation Result"
    __name__ = 'laisui.admission.run.publish.start'

    run = fields.Many2One('laisui.admission.run', "Run", readonly=True)
    placed = fields.Integer("Placed", readonly=True)
    unplaced = fields.Integer("Not Placed", readonly=True)
    sms = fields.Integer("SMS to Send", readonly=True,
        help="A first publication tells every applicant; a new version "
        "only those whose result changed.")
    # Shown only when something holds the publication.
    blockers = fields.Text("Holding the Publication", readonly=True,
        states={'invisible': ~Eval('blockers')})
    override_by = fields.Many2One('res.user', "Early Publication By",
        readonly=True, states={'invisible': ~Eval('blockers')})
    override_reason = fields.Text("Early Publication Reason", readonly=True,
        states={'invisible': ~Eval('blockers')})


class Publish(Wizard):
    "Publish Allocation Result"
    __name__ = 'laisui.admission.run.publish'

    start = StateView('laisui.admission.run.publish.start',
        'laisui_admission.run_publish_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel', default=True),
            Button("Publish", 'publish', 'tryton-ok'),
            ])
    publish = StateTransition()

    def default_start(self, fields):
        run = self.record
        return {
            'run': run.id,
            'placed': run.placed,
            'unplaced': (run.applications or 0) - (run.placed or 0),
            'sms': run.notice_count(),
            'blockers': '\n'.join(run.publication_blockers()),
            'override_by': run.override_by.id if run.override_by else None,
            'override_reason': run.override_reason,
            }

    def transition_publish(self):
        # As a button runs: the wizard's access was checked.
        with without_check_access():
            self.model.publish([self.record])
        return 'end'


class OverrideStart(ModelView):
    "Authorise Early Publication"
    __name__ = 'laisui.admission.run.override.start'

    blockers = fields.Text("Holding the Publication", readonly=True)
    reason = fields.Text("Reason", required=True,
        help="Why the result may be published now: kept in the audit log "
        "with your name.")


class Override(Wizard):
    "Authorise Early Publication"
    __name__ = 'laisui.admission.run.override'

    start = StateView('laisui.admission.run.override.start',
        'laisui_admission.run_override_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel', default=True),
            Button("Authorise", 'authorise', 'tryton-ok'),
            ])
    authorise = StateTransition()

    def default_start(self, fields):
        return {'blockers': '\n'.join(self.record.publication_blockers())}

    def transition_authorise(self):
        with without_check_access():
            self.model.record_override([self.record], self.start.reason)
        return 'end'
