# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Download the rejected rows of a run, to send back to the department."""
from trytond.model import ModelView, fields
from trytond.modules.laisui_base.i18n import stored_gettext
from trytond.pool import Pool
from trytond.wizard import Button, StateView, Wizard


class DownloadRejectsResult(ModelView):
    "Rejected Rows"
    __name__ = 'laisui.connector.run.rejects.result'

    file = fields.Binary("File", filename='filename', readonly=True)
    filename = fields.Char("File Name", readonly=True)


class DownloadRejects(Wizard):
    "Download Rejected Rows"
    __name__ = 'laisui.connector.run.rejects'

    start_state = 'result'
    result = StateView('laisui.connector.run.rejects.result',
        'laisui_connectors.run_rejects_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_result(self, fields):
        AuditLog = Pool().get('laisui.audit.log')
        run = self.record
        AuditLog.log('export', resource=run,
            detail=stored_gettext('laisui_connectors.msg_rejects_audit',
                count=len(run.rejects)))
        return {
            'file': run.rejects_csv().encode('utf-8'),
            'filename': f'rejects-{run.dataset.code}-{run.id}.csv',
            }
