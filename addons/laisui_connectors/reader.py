# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Rows out of the files departments send: CSV, XLSX and legacy XLS.

Everything here is defensive: the files come from outside. Each reader
streams (bounded memory), stops at `max_rows`, and raises FileFormatError
with a zh_CN reason instead of a parser's traceback.
"""
import csv
import datetime as dt
import io
import zipfile

from trytond.i18n import gettext

from .exceptions import FileFormatError

XLSX_MAGIC = b'PK\x03\x04'
OLE_MAGIC = b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'
# LibreOffice's own format is a zip too, named by its first, stored member.
ODS_MIMETYPE = b'application/vnd.oasis.opendocument.spreadsheet'

# Zip checks before openpyxl sees the file (security.md, §3 OWASP ASVS
# level 2 items for this portal): a legitimate workbook compresses its XML
# about 5-20 times; a bomb about 1000 times.
MAX_ZIP_ENTRIES = 1000
MAX_UNZIPPED = 1024 * 1024 * 1024
MAX_RATIO = 200


class Table:
    "Header names and an iterator of (row number, list of cell values)"

    def __init__(self, headers, rows, encoding=None, kind=None):
        self.headers = headers
        self.rows = rows
        self.encoding = encoding
        self.kind = kind


def open_table(data, max_rows):
    "The table in `data`, by content, never by file name"
    if data.startswith(XLSX_MAGIC):
        if is_opendocument_spreadsheet(data):
            # No well-kept reader parses it safely: the user saves it
            # again as .xlsx, which LibreOffice does in two clicks.
            raise _error('ods')
        return _xlsx(data, max_rows)
    if data.startswith(OLE_MAGIC):
        return _xls(data, max_rows)
    return _csv(data, max_rows)


def is_opendocument_spreadsheet(data):
    "Whether the zip in data is an OpenDocument spreadsheet (.ods, .ots)"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            with archive.open('mimetype') as member:
                return member.read(len(ODS_MIMETYPE) + 9).startswith(
                    ODS_MIMETYPE)
    except (KeyError, zipfile.BadZipFile, OSError):
        return False


def _error(name, **values):
    return FileFormatError(gettext(f'laisui_connectors.msg_file_{name}',
            **values))


def _headers(row):
    headers = [str(h).strip() if h is not None else '' for h in row]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise _error('no_header')
    return headers


def _limited(rows, max_rows, first=2):
    for number, row in enumerate(rows, first):
        if number - first >= max_rows:
            raise _error('too_many_rows', limit=max_rows)
        yield number, row


# --- CSV -----------------------------------------------------------------

def decode(data):
    """Text and encoding of a CSV file.

    UTF-8 (with or without BOM) first; files from Windows offices in China
    are often GBK, read as GB18030 (its superset). Strict decoding: a file
    that is neither is refused instead of being read with replacement
    characters.
    """
    if data.startswith(b'\xef\xbb\xbf'):
        data = data[3:]
    for encoding in ['utf-8', 'gb18030']:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise _error('encoding')


def _csv(data, max_rows):
    text, encoding = decode(data)
    if '\x00' in text[:4096]:
        raise _error('binary')
    first_line = text.split('\n', 1)[0]
    delimiter = max([',', '\t', ';', '|'], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=''), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise _error('empty')
    except csv.Error:
        raise _error('csv')
    headers = _headers(header)

    def rows():
        try:
            for number, row in _limited(reader, max_rows):
                # Skip blank lines: no cell with more than spaces
                if ''.join(row).strip():
                    yield number, row
        except csv.Error as e:
            raise _error('csv_line', line=reader.line_num, error=str(e))
    return Table(headers, rows(), encoding=encoding, kind='csv')


# --- XLSX ----------------------------------------------------------------

def check_zip(data):
    "Refuse zip bombs, path tricks and macro workbooks before unpacking"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise _error('corrupt')
    if len(entries) > MAX_ZIP_ENTRIES:
        raise _error('zip_bomb')
    total = sum(e.file_size for e in entries)
    compressed = sum(e.compress_size for e in entries) or 1
    if total > MAX_UNZIPPED or total / compressed > MAX_RATIO:
        raise _error('zip_bomb')
    for entry in entries:
        name = entry.filename
        if name.startswith('/') or '..' in name.split('/'):
            raise _error('corrupt')
        if entry.flag_bits & 0x1:
            raise _error('encrypted')
        if name.lower().endswith('vbaproject.bin'):
            raise _error('macro')
    return archive


def _xlsx(data, max_rows):
    # defusedxml must be importable: without it openpyxl expands entities.
    import defusedxml  # noqa: F401
    import openpyxl
    check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True,
            data_only=False, keep_links=False)
    except Exception:
        # defusedxml's refusals (DTD, entities) surface as
        # ValueError("Unable to read workbook") among others.
        raise _error('xlsx')
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise _error('empty')
    declared = sheet.max_row
    if declared and declared - 1 > max_rows:
        # The <dimension> tag: refuse before reading a million rows.
        raise _error('too_many_rows', limit=max_rows)
    rows = sheet.iter_rows(values_only=False)
    try:
        header = next(rows)
    except StopIteration:
        raise _error('empty')
    except Exception:
        raise _error('xlsx')
    headers = _headers([c.value for c in header])

    def values():
        try:
            for number, row in _limited(rows, max_rows):
                cells = []
                for cell in row:
                    if cell.data_type == 'f':
                        yield number, FormulaCell(cell.coordinate)
                        break
                    cells.append(cell.value)
                else:
                    if any(v not in (None, '') for v in cells):
                        yield number, cells
        except FileFormatError:
            raise
        except Exception:
            raise _error('xlsx')
        finally:
            workbook.close()
    return Table(headers, values(), kind='xlsx')


class FormulaCell:
    "A row holding a formula: refused, we load values, not computations"

    def __init__(self, coordinate):
        self.coordinate = coordinate


# --- XLS (legacy) --------------------------------------------------------

def _xls(data, max_rows):
    import xlrd
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.biffh.XLRDError as e:
        if 'encrypt' in str(e).lower() or 'Workbook is encrypted' in str(e):
            raise _error('encrypted')
        raise _error('xls')
    except Exception:
        raise _error('xls')
    if not book.nsheets:
        raise _error('empty')
    sheet = book.sheet_by_index(0)
    if sheet.nrows == 0:
        raise _error('empty')
    if sheet.nrows - 1 > max_rows:
        raise _error('too_many_rows', limit=max_rows)
    headers = _headers(sheet.row_values(0))

    def value(cell):
        if cell.ctype == xlrd.XL_CELL_DATE:
            return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        if cell.ctype == xlrd.XL_CELL_NUMBER and cell.value == int(
                cell.value):
            return int(cell.value)
        return cell.value

    def rows():
        for index in range(1, sheet.nrows):
            cells = [value(c) for c in sheet.row(index)]
            if any(v not in (None, '') for v in cells):
                yield index + 1, cells
    return Table(headers, rows(), kind='xls')


def is_date(value):
    return isinstance(value, (dt.date, dt.datetime))
