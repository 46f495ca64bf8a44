# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import csv
import datetime as dt
import io

from stdnum.cn import ric

from trytond.pool import Pool

STREETS = ['北京街道', '东山街道', '农林街道', '华乐街道', '建设街道']


def id_number(n, birth=dt.date(1980, 1, 1)):
    "A valid ID number, different for each n"
    base = (f'440104{(birth + dt.timedelta(days=n % 9000)):%Y%m%d}'
        f'{n // 9000 % 1000:03d}')
    return base + ric.calc_check_digit(base + '0')


def lease(n, **values):
    "A rental registration as the rental system's JSON contract sends it"
    record = {
        'id_number': id_number(n),
        'name': f'租户{n}',
        'record_no': f'ZL{n:07d}',
        'address': f'广州市越秀区{STREETS[n % len(STREETS)]}某路{n % 97}号',
        'start': f'20{10 + n % 9}-0{1 + n % 9}-01',
        'end': None,
        'registered': '是',
        }
    record.update(values)
    return record


def property_rows(count, start=0):
    "Rows of the housing bureau's property file (Chinese headers)"
    rows = []
    for n in range(start, start + count):
        rows.append({
                '身份证号码': id_number(n),
                '姓名': f'业主{n}',
                '不动产权证号': f'粤(2019)广州市不动产权第{n:07d}号',
                '坐落': f'越秀区{STREETS[n % len(STREETS)]}大德路{n}号',
                '登记日期': f'2015/{1 + n % 12}/{1 + n % 28}',
                })
    return rows


def to_csv(rows, encoding='utf-8', headers=None):
    headers = headers or list(rows[0])
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=headers,
        extrasaction='ignore')
    writer.writeheader()
    writer.writerows(rows)
    return output.getvalue().encode(encoding)


def dataset(code):
    Dataset = Pool().get('laisui.connector.dataset')
    dataset, = Dataset.search([('code', '=', code)])
    return dataset


def load(code, data, filename='data.csv'):
    "Launch and process an upload run at once; return the run"
    Run = Pool().get('laisui.connector.run')
    run, = Run.launch([dataset(code)], 'upload', data=data,
        filename=filename)
    Run.process(run)
    return Run(run.id)


def records(code):
    Record = Pool().get('laisui.connector.record')
    return Record.search([('dataset.code', '=', code)],
        order=[('reference', 'ASC')])
