# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Documents that carry the answers to a form version.

The answers are stored with the definition they answered (a snapshot), so
that they stay readable as given whatever later versions change. Files
answered go to the filestore in laisui.form.file, owned by the document;
the answers keep their reference ({'id', 'mime', 'filename'}).
"""
from trytond.i18n import gettext
from trytond.model import ModelSQL, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import FormPublishedError
from .form_engine import summary_rows
from .upload import Upload


class FormFile(ModelSQL):
    "File answered on a form"
    __name__ = 'laisui.form.file'

    resource = fields.Reference("Document", selection='get_models',
        required=True)
    field = fields.Char("Field", required=True)
    data = fields.Binary("Data", file_id='file_id', filename='filename')
    file_id = fields.Char("File ID", readonly=True)
    filename = fields.Char("File Name", readonly=True)
    mime = fields.Char("MIME Type", readonly=True)

    @classmethod
    def get_models(cls):
        return Pool().get('ir.model').get_name_items()

    @classmethod
    def of_document(cls, document, file_id):
        """The file of the document's answers, or None: the caller has
        checked that the document is the person's (portal ownership or
        staff record rules)"""
        files = cls.search([
                ('id', '=', file_id),
                ('resource', '=', str(document)),
                ], limit=1)
        return files[0] if files else None


class FormAnswersMixin:
    """Fields and one method for a document answering a form:
    store_answers() validates on the server and stores"""
    __slots__ = ()

    form = fields.Many2One('laisui.form', "Form", readonly=True,
        domain=[('state', '=', 'published')], ondelete='RESTRICT')
    answers = fields.Dict(None, "Answers", readonly=True)
    answers_definition = fields.Dict(None, "Definition Answered",
        readonly=True)

    @classmethod
    def store_answers(cls, document, form, answers, today=None):
        """Validate answers against form (a published version) and store
        them on document with the definition: FormAnswersError with the
        zh_CN message of each wrong field, and nothing stored."""
        pool = Pool()
        File = pool.get('laisui.form.file')
        if form.state != 'published':
            raise FormPublishedError(gettext(
                    'laisui_base.msg_form_not_published',
                    form=form.rec_name))
        clean = form.validate_answers(answers, today=today)
        definition = form.validator().definition
        uploads = {k: v for k, v in clean.items() if isinstance(v, Upload)}
        if uploads:
            # Files of earlier answers of the document are replaced.
            kept = {v['id'] for v in clean.values()
                if isinstance(v, dict) and 'mime' in v}
            File.delete(File.search([
                        ('resource', '=', str(document)),
                        ('id', 'not in', list(kept)),
                        ]))
            files = File.create([{
                        'resource': str(document),
                        'field': name,
                        'data': upload.data,
                        'filename': upload.filename,
                        'mime': upload.mime_type,
                        } for name, upload in uploads.items()])
            for (name, upload), file in zip(uploads.items(), files):
                clean[name] = {'id': file.id, 'mime': upload.mime_type,
                    'filename': upload.filename}
        # Checked here: a model that checks its answers on write (data
        # table rows) need not do it twice.
        with Transaction().set_context(_form_answers_checked=True):
            cls.write([document], {
                    'form': form.id,
                    'answers': clean,
                    'answers_definition': {
                        'code': form.code, 'version': form.version,
                        'fields': definition},
                    })
        return clean

    def answer_rows(self):
        "[(label, text)] of the stored answers, ID and phones masked"
        definition = (self.answers_definition or {}).get('fields') or []
        return summary_rows(definition, dict(self.answers or {}))
