#!/usr/bin/env python3
# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Run the fake external systems of the demo (and of the benchmark).

    python scripts/fake_sources.py --db var/db/laisui.sqlite [--sample 300]
    python scripts/fake_sources.py --leases 200000 --port 0

With --db: one HTTP server per source system on the ports the seeded
source configuration points at (127.0.0.1:8701-8705), serving records of
the first `sample` applicants of the demo database, made up
deterministically from each ID number, so that the demo's syncs link and
feed them. With --leases N: only the rental system, N synthetic leases,
on --port (0: any free port); the URL is printed on the first line.
The servers are the ones the tests use
(trytond.modules.laisui_connectors.tests.fake_sources). Stops on SIGTERM.
"""
import argparse
import contextlib
import datetime as dt
import random
import signal
import sqlite3
import sys
import threading

from trytond.modules.laisui_connectors.tests.fake_sources import FakeSource
from trytond.modules.laisui_connectors.tests.tools import lease

PORTS = {'city_points': 8701, 'city_migrant': 8702, 'rental': 8703,
    'hrss': 8705}
YUEXIU_STREETS = ['北京街道', '东山街道', '农林街道', '华乐街道', '建设街道',
    '人民街道', '大塘街道', '梅花村街道']
ROADS = ['中山四路', '文德路', '越秀北路', '东风东路', '解放北路']
OTHER_DISTRICTS = ['天河区', '海珠区', '白云区', '番禺区']


def _date(rng, first_year, last_year):
    start = dt.date(first_year, 1, 1)
    days = (dt.date(last_year, 12, 31) - start).days
    return start + dt.timedelta(days=rng.randrange(days))


def _address(rng, yuexiu=True):
    if yuexiu:
        return (f'广州市越秀区{rng.choice(YUEXIU_STREETS)}'
            f'{rng.choice(ROADS)}{rng.randrange(1, 300)}号')
    return f'广州市{rng.choice(OTHER_DISTRICTS)}某路{rng.randrange(1, 300)}号'


def records_of(id_number, name):
    "What each system knows of one person: {(source, endpoint): [records]}"
    rng = random.Random(id_number)
    out = {key: [] for key in [('city_points', 'permits'),
            ('city_points', 'points'), ('city_migrant', 'residences'),
            ('rental', 'leases'), ('hrss', 'employments'),
            ('hrss', 'insurance')]}
    person = {'id_number': id_number, 'name': name}
    issued = _date(rng, 2012, 2018)
    out['city_points', 'permits'].append(dict(person,
            permit_no=f'GD{rng.randrange(10 ** 12):012d}',
            issued_on=issued.isoformat(), valid_until=None,
            address=_address(rng)))
    out['city_migrant', 'residences'].append(dict(person,
            address=_address(rng), registered_on=issued.isoformat(),
            left_on=None))
    if rng.random() < 0.3:
        # An earlier rental outside Yuexiu: counts for the city only
        start = _date(rng, 2010, 2013)
        out['rental', 'leases'].append(dict(person,
                record_no=f'ZL{rng.randrange(10 ** 10):010d}',
                address=_address(rng, yuexiu=False),
                start=start.isoformat(),
                end=(start + dt.timedelta(days=700)).isoformat(),
                registered='是'))
    if rng.random() < 0.7:
        out['rental', 'leases'].append(dict(person,
                record_no=f'ZL{rng.randrange(10 ** 10):010d}',
                address=_address(rng), start=_date(rng, 2014, 2018)
                .strftime('%Y/%m/%d'), end=None,
                registered='是' if rng.random() < 0.8 else '否'))
    if rng.random() < 0.7:
        out['hrss', 'employments'].append(dict(person,
                registration_no=f'JY{rng.randrange(10 ** 10):010d}',
                employer=rng.choice(['广州某餐饮有限公司', '广州某物流有限公司',
                        '越秀区某商行', '广州某科技有限公司']),
                workplace=_address(rng, yuexiu=rng.random() < 0.8),
                start=_date(rng, 2013, 2018).isoformat(), end=None))
    for insurance in ['城镇职工基本养老保险', '城镇职工基本医疗保险',
            '失业保险']:
        if rng.random() < 0.75:
            out['hrss', 'insurance'].append(dict(person,
                    insurance=insurance,
                    insured_at=_address(rng, yuexiu=rng.random() < 0.7),
                    start=_date(rng, 2012, 2018).strftime('%Y-%m'),
                    end=None))
    out['city_points', 'points'].append(dict(person, indicator='permit',
            points=3 * max(2019 - issued.year, 0),
            verified_on=_date(rng, 2018, 2019).isoformat(), status='已核定'))
    return out


def applicants(db, sample):
    with contextlib.closing(sqlite3.connect(f'file:{db}?mode=ro',
                uri=True)) as connection:
        return connection.execute(
            'SELECT id_number, name FROM laisui_applicant '
            'ORDER BY id LIMIT ?', (sample,)).fetchall()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--db', help="SQLite file of the demo database")
    parser.add_argument('--sample', type=int, default=300)
    parser.add_argument('--leases', type=int,
        help="serve only N synthetic leases (benchmark)")
    parser.add_argument('--port', type=int, default=0)
    args = parser.parse_args()

    servers = []
    if args.leases is not None:
        fake = FakeSource(port=args.port)
        fake.put('leases', [lease(n) for n in range(args.leases)])
        servers.append(fake)
    else:
        if not args.db:
            parser.error('--db or --leases is required')
        people = applicants(args.db, args.sample)
        by_source = {code: FakeSource(port=port)
            for code, port in PORTS.items()}
        keys = {'leases': 'record_no', 'permits': 'permit_no',
            'employments': 'registration_no'}
        for id_number, name in people:
            for (code, endpoint), records in records_of(
                    id_number, name).items():
                by_source[code].put(endpoint, records,
                    key=keys.get(endpoint))
        servers.extend(by_source.values())
        print(f'{len(people)} applicants known to the fake systems',
            file=sys.stderr)
    for server in servers:
        server.__enter__()
    print(' '.join(s.url for s in servers), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    stop.wait()
    for server in servers:
        server.__exit__(None, None, None)


if __name__ == '__main__':
    main()
