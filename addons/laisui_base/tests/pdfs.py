# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""PDFs for the upload tests: written by pypdf, or by hand where pypdf's
writer cannot say it (escaped names, object streams)."""
import io
import struct
import zlib

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject,
    NameObject, TextStringObject)

A4 = (595, 842)


def name(value):
    return NameObject(value)


def action(kind, **entries):
    "An action dictionary of type kind; entries are names to values"
    values = {name('/Type'): name('/Action'), name('/S'): name(kind)}
    for key, value in entries.items():
        if isinstance(value, str):
            value = TextStringObject(value)
        values[name('/' + key)] = value
    return DictionaryObject(values)


def rect():
    return ArrayObject([FloatObject(v) for v in (50, 50, 200, 80)])


def annotation(subtype, **entries):
    values = {name('/Type'): name('/Annot'), name('/Subtype'): name(subtype),
        name('/Rect'): rect()}
    values.update({name('/' + k): v for k, v in entries.items()})
    return DictionaryObject(values)


def writer_pdf(build=None, pages=1):
    """A PDF of blank A4 pages made by pypdf's writer; build(writer) adds
    to it before it is written"""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(*A4)
    if build:
        build(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def add_annotation(writer, annot, page=0):
    "Put annot (a dictionary) on the page"
    page = writer.pages[page]
    page[name('/Annots')] = ArrayObject([writer._add_object(annot)])


def set_contents(writer, data, page=0):
    "Make data the (uncompressed) content stream of the page"
    stream = DecodedStreamObject()
    stream.set_data(data)
    writer.pages[page][name('/Contents')] = writer._add_object(stream)


def raw_pdf(objects, compressed=()):
    """A PDF of objects {number: body}: object 1 is the catalog.

    The numbers in compressed go Flate-compressed into an object stream
    listed by a cross-reference stream (PDF 1.5), the others are plain.
    """
    out = bytearray(b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')
    offsets = {}
    for number in sorted(objects):
        if number in compressed:
            continue
        offsets[number] = len(out)
        out += b'%d 0 obj\n%s\nendobj\n' % (number, objects[number])
    size = max(objects) + 1
    if not compressed:
        start = len(out)
        out += b'xref\n0 %d\n' % size
        for number in range(size):
            if number in offsets:
                out += b'%010d 00000 n \n' % offsets[number]
            else:
                out += b'0000000000 65535 f \n'
        out += (b'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n'
            b'%%%%EOF\n' % (size, start))
        return bytes(out)

    stream_number, xref_number = size, size + 1
    size += 2
    header, body, index = b'', b'', {}
    for position, number in enumerate(compressed):
        index[number] = position
        header += b'%d %d ' % (number, len(body))
        body += objects[number] + b'\n'
    data = zlib.compress(header + body)
    offsets[stream_number] = len(out)
    out += (b'%d 0 obj\n<< /Type /ObjStm /N %d /First %d '
        b'/Filter /FlateDecode /Length %d >>\nstream\n' % (
            stream_number, len(compressed), len(header), len(data))
        + data + b'\nendstream\nendobj\n')
    offsets[xref_number] = len(out)
    rows = b''
    for number in range(size):
        if number in offsets:
            rows += struct.pack('>BIH', 1, offsets[number], 0)
        elif number in index:
            rows += struct.pack('>BIH', 2, stream_number, index[number])
        else:
            rows += struct.pack('>BIH', 0, 0, 65535)
    out += (b'%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R '
        b'/Length %d >>\nstream\n' % (xref_number, size, len(rows))
        + rows + b'\nendstream\nendobj\n')
    out += b'startxref\n%d\n%%%%EOF\n' % offsets[xref_number]
    return bytes(out)


def raw_open_action(action_body, compressed=False):
    "A one-page PDF whose /OpenAction is object 4, of action_body"
    objects = {
        1: b'<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>',
        2: b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        3: b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
        4: action_body,
        }
    return raw_pdf(objects, compressed=(4,) if compressed else ())
