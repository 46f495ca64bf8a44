# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Report false material in one step from what a reviewer is looking at."""
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.wizard import Button, StateAction, StateView, Wizard

from .policy import KINDS


class ReportStart(ModelView):
    "Report False Material"
    __name__ = 'laisui.integrity.record.report.start'

    applicant = fields.Many2One('laisui.applicant', "Applicant",
        required=True, readonly=True)
    origin = fields.Reference("Concerned", selection='get_origin',
        readonly=True)
    kind = fields.Selection(KINDS, "Kind", required=True)
    evidence = fields.Many2One('laisui.evidence', "Material",
        domain=[('applicant', '=', Eval('applicant', -1))])
    description = fields.Text("Findings", required=True)

    @classmethod
    def get_origin(cls):
        return Pool().get('laisui.integrity.record').get_origin()


class Report(Wizard):
    "Report False Material"
    __name__ = 'laisui.integrity.record.report'

    start = StateView('laisui.integrity.record.report.start',
        'laisui_integrity.record_report_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Report", 'report', 'tryton-ok', default=True),
            ])
    report = StateAction('laisui_integrity.act_record')

    def default_start(self, fields):
        record = self.record
        values = {'kind': 'false_material'}
        if self.model.__name__ == 'laisui.applicant':
            values['applicant'] = record.id
        else:
            # Facts, evidence and, from higher modules, review lines and
            # applications: each knows its applicant.
            values['applicant'] = record.applicant.id
            values['origin'] = str(record)
            if self.model.__name__ == 'laisui.evidence':
                values['evidence'] = record.id
        return values

    def do_report(self, action):
        Record = Pool().get('laisui.integrity.record')
        record, = Record.create([{
                    'applicant': self.start.applicant.id,
                    'origin': (str(self.start.origin)
                        if self.start.origin else None),
                    'kind': self.start.kind,
                    'evidence': (self.start.evidence.id
                        if self.start.evidence else None),
                    'description': self.start.description,
                    }])
        action['views'].reverse()
        return action, {'res_id': [record.id]}
