#!/usr/bin/env python3
# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of public services (laisui_services): applications through
the portal's server path, vouchers issued, their tokens verified.

    python scripts/bench/services.py [--applications 10000] [--batch 500]
        [--seed 2019] [--profile submit|issue|verify]

It makes a fresh database (SQLite in a temporary folder, or PostgreSQL
when TRYTOND_DATABASE_URI is set) with laisui_services, a service (融合培训)
whose published version asks a 12-field form (text, bounded number, date,
choice, multiple choice, yes/no, ID number, phone, Yuexiu address, long
text, a field shown only for one answer, a table of rows) and three
eligibility conditions (current permit, age, not barred), and
--applications applicants of the demo data generator. Then it times, one
committed transaction each --batch:

(a) one application per applicant as the apply page makes it:
    ``Application.draft_for``, ``take_answers`` of the page's post (a
    werkzeug MultiDict as form_fields.html names its inputs), then
    ``submit``, which checks the version, the conditions and the
    materials again and opens the review case. The portal sends an SMS
    code first and submits once it is typed (confirm_submission); the
    code is the portal's own and left out: ``submit`` is called directly
    (``submit_per_second``);
(b) a voucher for each, as approval issues it (voucher.py ``issue``):
    an Ed25519-signed credential with its number and audit row
    (``issue_per_second``);
(c) ``Credential.verify(token, 'api')`` of every token, each logging its
    scan row (``verify_per_second``);

and, as the reference, cryptography's Ed25519 alone signing and verifying
as many payloads of a token (credentials.py) (``raw_sign_per_second``,
``raw_verify_per_second``); ``verify_ratio`` is raw verify / verify
(target: at most 2).

The platform's floor on the same machine, in a transaction rolled back:
the database's round trip (``round_trip_per_second``, SELECT 1) and
trytond's bare create and write of an application row
(``orm_create_per_second``, ``orm_write_per_second``). With the SQL
statements a submission runs (``statements_per_submission``) they give
``statement_floor_per_second``, the rate were a submission nothing but
its statements' round trips, and ``verify_floor_ratio``, the ratio of a
verification that does one round trip and nothing else.

The last line on stdout is JSON. Runs under python -O (re-executes).
"""
import argparse
import cProfile
import datetime as dt
import pstats
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import demo_data  # noqa: E402
from bench.common import (  # noqa: E402
    StatementCounter, log, run_on_fresh_database)
from bench.credentials import in_transaction, per_second, raw  # noqa: E402

SERVICE = 'bench_training'
TOPICS = ['law', 'language', 'health', 'parenting', 'skills']
EDUCATION = ['junior', 'senior', 'college', 'bachelor']
RELATIONS = ['spouse', 'child', 'parent']


def training_form(today):
    "The 12 fields of the integration training form (融合培训报名表)"
    from trytond.modules.laisui_base.tests.forms import HOUSEHOLD
    return [
        # The person's name, ID and phone as the household form asks them.
        *HOUSEHOLD[:3],
        {'name': 'arrival', 'label': '来穗日期', 'type': 'date',
            'required': True, 'date_min': dt.date(1980, 1, 1),
            'date_max': today},
        {'name': 'hours', 'label': '每周可参加培训小时数', 'type': 'number',
            'required': True, 'number_min': Decimal(1),
            'number_max': Decimal(20)},
        {'name': 'education', 'label': '文化程度', 'type': 'choice',
            'required': True, 'options': 'junior:初中\nsenior:高中或中专\n'
            'college:大专\nbachelor:本科及以上'},
        {'name': 'topics', 'label': '希望参加的课程', 'type': 'multiple',
            'required': True, 'length_min': 1, 'length_max': 3,
            'options': 'law:法律常识\nlanguage:粤语入门\nhealth:健康知识\n'
            'parenting:亲子教育\nskills:职业技能'},
        {'name': 'employed', 'label': '目前是否就业', 'type': 'boolean',
            'required': True},
        {'name': 'employer', 'label': '工作单位', 'type': 'text',
            'required': True, 'length_max': 60,
            'condition': ('employed', 'equals', 'yes')},
        {'name': 'address', 'label': '现居住地址', 'type': 'address',
            'required': True},
        {'name': 'expectation', 'label': '对培训的期望', 'type': 'long_text',
            'length_max': 500},
        {'name': 'family', 'label': '随迁家庭成员', 'type': 'table',
            'rows_max': 5, 'columns': [
                {'name': 'member_name', 'label': '姓名', 'type': 'text',
                    'required': True, 'length_max': 30},
                {'name': 'relation', 'label': '关系', 'type': 'choice',
                    'required': True,
                    'options': 'spouse:配偶\nchild:子女\nparent:父母'},
                {'name': 'member_birth', 'label': '出生日期', 'type': 'date',
                    'date_max': today},
                ]},
        ]


def make_service(pool, today):
    "The service with its published version, form and conditions"
    from trytond.modules.laisui_base.tests.forms import make_form
    Service = pool.get('laisui.service')
    Version = pool.get('laisui.service.version')
    Department = pool.get('laisui.department')
    form = make_form('bench_training', training_form(today),
        name='融合培训报名表')
    service, = Service.create([{
                'code': SERVICE, 'name': '来穗人员融合培训',
                'category': 'training',
                'department': Department.search([], limit=1)[0].id,
                }])
    version, = Version.create([{
                'service': service.id,
                'description': '面向来穗人员的法律、粤语、健康和职业技能培训。',
                'guidance': '持有效居住证的来穗人员可报名。\n咨询电话 12345。',
                'form': form.id,
                'voucher': 'approval',
                'voucher_title': '融合培训报名凭证',
                'voucher_days': 365,
                'conditions': [('create', [
                            {'kind': 'permit'},
                            {'kind': 'age', 'value': 16, 'max_value': 60},
                            {'kind': 'not_barred'},
                            ])],
                }])
    Version.publish([version])
    return Service(service.id)


def post_of(applicant, street, rng):
    """What the apply page posts for the applicant: a MultiDict named as
    form_fields.html names its inputs"""
    from werkzeug.datastructures import MultiDict
    items = [
        ('csrf_token', 'bench'),
        ('full_name', applicant.name),
        ('id_number', applicant.id_number),
        ('phone', applicant.phone),
        ('arrival', (applicant.birth_date + dt.timedelta(
                    days=365 * 20 + rng.randint(0, 2000))).isoformat()),
        ('hours', str(rng.randint(1, 20))),
        ('education', rng.choice(EDUCATION)),
        ]
    items += [('topics', t) for t in rng.sample(TOPICS, rng.randint(1, 3))]
    if rng.random() < 0.8:
        items += [('employed', 'yes'), ('employer', '广州市某某餐饮有限公司')]
    else:
        items.append(('employed', 'no'))
    items += [
        ('address.street', street),
        ('address.detail', f'解放北路{rng.randint(1, 999)}号'),
        ('expectation', '希望学习粤语和劳动法律知识，方便工作和生活。'),
        ]
    rows = rng.randint(0, 3)
    items.append(('family.rows', str(rows)))
    for n in range(1, rows + 1):
        items += [
            (f'family.{n}.member_name', f'家属{n}'),
            (f'family.{n}.relation', rng.choice(RELATIONS)),
            (f'family.{n}.member_birth', f'{2000 + n * 3}-0{n}-15'),
            ]
    return MultiDict(items)


def batches(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def timed_batches(database, items, size, func, profile=False):
    """Seconds to run func(pool, batch) over items, one committed
    transaction a batch, and what the calls returned, concatenated;
    profile: the cProfile statistics of the phase on stderr"""
    profiler = cProfile.Profile() if profile else None
    results, seconds = [], 0
    for batch in batches(items, size):
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        results.extend(in_transaction(database,
                lambda pool: func(pool, batch)))
        if profiler:
            profiler.disable()
        seconds += time.perf_counter() - start
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats('cumulative').print_stats(40)
        stats.sort_stats('tottime').print_stats(25)
    return results, seconds


def prepare(database, args):
    "The applicants, the service and the signing key (not timed)"
    from trytond import backend
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    rng = random.Random(args.seed)
    start = time.perf_counter()
    Pool(database).init()

    def data(pool):
        ids = demo_data.generate(pool, args.applications, rng, demo=False)
        service = make_service(pool, dt.date.today())
        return ids, service.id, pool.get('laisui.form').yuexiu_streets()
    ids, service_id, streets = in_transaction(database, data)

    def keys(pool):
        # The first signature makes the key and the secret sealing it.
        pool.get('laisui.credential.key').signing_key()
        pool.get('laisui.secret').digest('credential-subject', 0)
    in_transaction(database, keys)
    if backend.name == 'postgresql':
        with Transaction().start(database, 0) as transaction:
            transaction.connection.cursor().execute('ANALYZE')
            transaction.commit()
    log(f'{len(ids)} applicants and the service ready in '
        f'{time.perf_counter() - start:.1f}s')
    return ids, service_id, streets


def platform_floor(database, applicant_ids, service_id, count=500):
    """What the platform costs alone on this machine, in a transaction
    rolled back: the database's round trip (SELECT 1), and trytond's bare
    create and write of an application row (no rule, no review)"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    count = min(count, len(applicant_ids))
    with Transaction().start(database, 0, context={'language': 'zh_CN'}
            ) as transaction:
        pool = Pool(database)
        Application = pool.get('laisui.service.application')
        version = pool.get('laisui.service')(service_id).current_version
        cursor = transaction.connection.cursor()
        start = time.perf_counter()
        for _ in range(count):
            cursor.execute('SELECT 1')
            cursor.fetchone()
        round_trip = time.perf_counter() - start
        start = time.perf_counter()
        made = [Application.create([{'applicant': i, 'service': service_id,
                        'version': version.id}])[0]
            for i in applicant_ids[:count]]
        create = time.perf_counter() - start
        start = time.perf_counter()
        for application in made:
            Application.write([application], {'corrections': '—'})
        write = time.perf_counter() - start
        transaction.rollback()
    return {
        'round_trip_per_second': per_second(count, round_trip),
        'orm_create_per_second': per_second(count, create),
        'orm_write_per_second': per_second(count, write),
        }


def run(database, args):
    from trytond import backend

    applicant_ids, service_id, streets = prepare(database, args)
    rng = random.Random(args.seed + 1)

    def phase(label, func, items):
        "What func returned over the items and how many a second"
        results, seconds = timed_batches(database, items, args.batch, func,
            profile=args.profile == func.__name__)
        rate = per_second(len(results), seconds)
        log(f'{label}: {len(results)} in {seconds:.1f}s = {rate:.1f}/s')
        return results, rate

    def submit(pool, ids):
        Applicant = pool.get('laisui.applicant')
        Application = pool.get('laisui.service.application')
        service = pool.get('laisui.service')(service_id)
        done = []
        for applicant_id in ids:
            # One applicant a request, as on the portal: records browsed
            # together would be read again together after every write.
            applicant = Applicant(applicant_id)
            draft = Application.draft_for(applicant, service)
            errors = draft.take_answers(
                post_of(applicant, rng.choice(streets), rng))
            if errors:
                # Not an assert: the bench runs under python -O.
                raise SystemExit(f'answers refused: {errors}')
            Application.submit([draft])
            done.append(draft.id)
        return done
    with StatementCounter() as statements:
        application_ids, submit_rate = phase('(a) applications submitted',
            submit, applicant_ids)
    per_submission = statements.count / len(application_ids)
    log(f'{per_submission:.1f} SQL statements a submission')

    def issue(pool, ids):
        from trytond.modules.laisui_services import voucher
        applications = pool.get('laisui.service.application').browse(ids)
        voucher.issue(applications)
        return [a.voucher.token for a in applications]
    tokens, issue_rate = phase('(b) vouchers issued', issue,
        application_ids)

    def verify(pool, batch):
        Credential = pool.get('laisui.credential')
        return [Credential.verify(t, 'api')[0] for t in batch]
    results, verify_rate = phase('(c) tokens verified', verify, tokens)
    if set(results) != {'valid'}:
        raise SystemExit(f'verification results: {set(results)}')

    raw_sign, raw_verify = raw(len(tokens))
    log(f'Ed25519 alone: {raw_sign:.0f} signatures/s, '
        f'{raw_verify:.0f} verifications/s')
    floor = platform_floor(database, applicant_ids, service_id)
    log(f'floor: {floor["round_trip_per_second"]:.0f} round trips/s, '
        f'{floor["orm_create_per_second"]:.0f} bare creates/s, '
        f'{floor["orm_write_per_second"]:.0f} bare writes/s')
    return {
        'submit_per_second': submit_rate,
        'issue_per_second': issue_rate,
        'verify_per_second': verify_rate,
        'raw_sign_per_second': raw_sign,
        'raw_verify_per_second': raw_verify,
        'verify_ratio': round(raw_verify / verify_rate, 2),
        'statements_per_submission': round(per_submission, 1),
        # Were a submission nothing but its statements' round trips:
        'statement_floor_per_second': round(
            floor['round_trip_per_second'] / per_submission, 1),
        # A verification with one round trip and no other work:
        'verify_floor_ratio': round(
            1 + raw_verify / floor['round_trip_per_second'], 2),
        **floor,
        'applications': len(application_ids),
        'vouchers': len(tokens),
        'verifications': len(results),
        'form_fields': len(training_form(dt.date.today())),
        'batch': args.batch,
        'backend': backend.name,
        'seed': args.seed,
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--applications', type=int, default=10000)
    parser.add_argument('--batch', type=int, default=500)
    parser.add_argument('--seed', type=int, default=2019)
    parser.add_argument('--profile', choices=['submit', 'issue', 'verify'],
        help="print cProfile statistics of this phase on stderr")
    args = parser.parse_args()
    if args.applications < 1 or args.batch < 1:
        parser.error('--applications and --batch must be positive')

    run_on_fresh_database('laisui_services', 'bench_services', run, args)

if __name__ == '__main__':
    demo_data.ensure_optimized()
    main()
