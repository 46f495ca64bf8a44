# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Load a file a department sent, from the back office."""
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.wizard import Button, StateAction, StateView, Wizard


class UploadStart(ModelView):
    "Load a Department File"
    __name__ = 'laisui.connector.upload.start'

    dataset = fields.Many2One('laisui.connector.dataset', "Dataset",
        required=True)
    data = fields.Binary("File", required=True, filename='filename',
        help="CSV (UTF-8 or GBK), XLSX or XLS; the first row holds the "
        "column headers.")
    filename = fields.Char("File Name")


class Upload(Wizard):
    "Load a Department File"
    __name__ = 'laisui.connector.upload'

    start = StateView('laisui.connector.upload.start',
        'laisui_connectors.upload_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Load", 'load', 'tryton-ok', default=True),
            ])
    load = StateAction('laisui_connectors.act_run')

    def default_start(self, fields):
        if self.model and self.model.__name__ == 'laisui.connector.dataset':
            return {'dataset': self.record.id}
        return {}

    def do_load(self, action):
        Run = Pool().get('laisui.connector.run')
        run, = Run.launch([self.start.dataset], 'upload',
            data=bytes(self.start.data), filename=self.start.filename)
        action['views'].reverse()
        return action, {'res_id': [run.id]}
