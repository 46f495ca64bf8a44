#!/usr/bin/env python3
# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Fill a Laisui database with demo data: staff accounts and applicants.

    python scripts/demo_data.py -c CONFIG -d DBNAME [--applicants 2000]
        [--seed 2019] [--logins-file var/demo-logins.txt]

The scenario is a 2019 Yuexiu school admission: the points reference date
is set to 2019-04-30, when the 2018 city table (GZ-2018) is in force.

It creates
- one staff user (res.user) per role of laisui_base, password from
  $LAISUI_DEMO_PASSWORD (default Laisui-Demo-2026), language zh_CN and a
  mobile 1390000NNNN (NNNN: its rank in STAFF) for the SMS code;
- N applicants with a party, a portal account (web.user with the mobile
  number and the same password), a residence permit, children (and
  sometimes a spouse) and the facts the indicators read, the first one
  being the well-known 陈小燕 / 13800138000 with a full set of facts;
- the points statements of all of them (one batch computation at the end).

It is idempotent: staff users are created only when their login is
missing, applicants only when the database has none.  The logins file is
(re)written on every run.  The data is deterministic for a given seed.

The generator (``generate(pool, count, rng)``) is importable: the points
benchmark (scripts/bench/points.py) uses it.  It runs under python -O
(it re-executes itself): with asserts on, browsing thousands of records is
quadratic in trytond (the project's Tryton notes, tryton.md,
§9 Performance baseline).
"""
import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PASSWORD = 'Laisui-Demo-2026'
REFERENCE_DATE = dt.date(2019, 4, 30)

DEMO_NAME = '陈小燕'
DEMO_PHONE = '13800138000'

# login, person name, laisui_base group, department codes, role (zh_CN)
STAFF = [
    ('window01', '林晓红', 'group_window_clerk', [], '窗口受理人员'),
    ('reviewer01', '黄志强', 'group_district_reviewer', [],
        '区来穗审核人员'),
    ('dept_hrss01', '刘敏', 'group_department_reviewer', ['RS'],
        '职能部门审核人员（人力资源和社会保障局）'),
    ('dept_police01', '陈国栋', 'group_department_reviewer', ['GA'],
        '职能部门审核人员（公安分局）'),
    ('districtadmin01', '梁伟明', 'group_district_admin', [],
        '区业务管理员'),
    # 三员: one role each (laisui_base refuses a user holding two)
    ('sysadmin01', '周建华', 'group_system_admin', [], '系统管理员'),
    ('secadmin01', '吴静', 'group_security_admin', [], '安全管理员'),
    ('auditor01', '郑丽娟', 'group_auditor', [], '审计管理员'),
    ]

# Roughly by frequency: the first ones are drawn more often.
SURNAMES = (
    '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董'
    '袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹'
    '孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤')
SURNAME_WEIGHTS = [1 / (rank + 8) for rank in range(len(SURNAMES))]
GIVEN_MALE = '伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林阳建国志文峰亮成东海'
GIVEN_FEMALE = '芳娜敏静丽艳娟霞燕玲丹萍红梅琳颖倩雪慧晶欣婷莉兰瑶佳怡洁琴秀英桂芬凤月'
GIVEN_ANY = '晓小春子嘉思雨立新'

# Household registration (GB/T 2260) of typical origins of Guangzhou's
# migrants, with a weight: Guangdong's east and west, Hunan, Guangxi,
# Jiangxi, Sichuan, Henan, Fujian, Hubei.
REGIONS = [
    ('440511', 3), ('440513', 4), ('440514', 3), ('440523', 1),  # 汕头
    ('445281', 4), ('445202', 2),                                # 揭阳
    ('440902', 3), ('440904', 4), ('440981', 4), ('440982', 3),  # 茂名
    ('440983', 3), ('440882', 3),                                # 信宜 雷州
    ('450102', 2), ('450103', 2), ('450122', 2), ('450981', 3),  # 广西
    ('430102', 2), ('430111', 2), ('430121', 2), ('430181', 3),  # 长沙
    ('430481', 3), ('431121', 3),                                # 衡阳 永州
    ('360702', 2), ('360721', 2), ('360730', 3), ('360781', 2),  # 赣州
    ('510104', 2), ('510107', 2), ('510121', 2), ('511321', 2),  # 四川
    ('411302', 2), ('411321', 2), ('411323', 1), ('411381', 3),  # 南阳
    ('350102', 1), ('350121', 1), ('350181', 2),                 # 福州
    ('421181', 2),                                               # 麻城
    ]
REGION_CODES = [code for code, _ in REGIONS]
REGION_WEIGHTS = [weight for _, weight in REGIONS]
PHONE_PREFIXES = ['130', '131', '132', '133', '134', '135', '136', '137',
    '138', '139', '150', '151', '152', '153', '155', '156', '157', '158',
    '159', '180', '181', '182', '183', '185', '186', '187', '188', '189']

YUEXIU = '440104'
CORE = {'440103', '440104', '440105', '440106'}
INSURANCE_ORDER = ['pension', 'medical', 'injury', 'unemployment',
    'maternity']
GRADUATION_AGE = {'highschool': 18, 'college': 21, 'bachelor': 22,
    'master': 25}


def ensure_optimized():
    """Re-execute under python -O (PYTHONOPTIMIZE for the children too)"""
    if sys.flags.optimize == 0 and not os.environ.get('LAISUI_REEXEC'):
        os.environ['PYTHONOPTIMIZE'] = '1'
        os.environ['LAISUI_REEXEC'] = '1'
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, [sys.executable, '-O', *sys.argv])


# Pure generators (no database) --------------------------------------------
def id_check_digit(number17):
    "GB 11643 check digit of the first 17 digits"
    total = sum(int(d) * (2 ** (17 - i) % 11)
        for i, d in enumerate(number17))
    return '10X98765432'[total % 11]


def make_id_number(rng, region, birth_date, sex):
    "18-digit resident ID: odd 17th digit for men, even for women"
    digit = rng.randrange(1 if sex == 'male' else 0, 10, 2)
    number17 = (f'{region}{birth_date:%Y%m%d}'
        f'{rng.randrange(100):02d}{digit}')
    return number17 + id_check_digit(number17)


def random_date(rng, start, end):
    "Uniform date in [start, end]"
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def add_years(date, years):
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)


def make_name(rng, sex, surname=None):
    surname = surname or rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
    gendered = GIVEN_MALE if sex == 'male' else GIVEN_FEMALE
    if rng.random() < 0.65:
        return (surname + rng.choice(GIVEN_ANY + gendered)
            + rng.choice(gendered))
    return surname + rng.choice(gendered)


class Uniques:
    "ID numbers and phones already taken (in the database or drawn)"

    def __init__(self, id_numbers=(), phones=()):
        self.id_numbers = set(id_numbers)
        self.phones = set(phones) | {DEMO_PHONE}

    def id_number(self, rng, region, birth_date, sex):
        while True:
            number = make_id_number(rng, region, birth_date, sex)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def phone(self, rng):
        while True:
            phone = rng.choice(PHONE_PREFIXES) + f'{rng.randrange(10 ** 8):08d}'
            if phone not in self.phones:
                self.phones.add(phone)
                return phone


def _fact(kind, date_from, date_to=None, **values):
    values.update(kind=kind, date_from=date_from, date_to=date_to)
    values.setdefault('source', 'declared')
    return values


def _external(rng, fact, probability, prefix):
    "Mark a fact as loaded from another system with the given probability"
    if rng.random() < probability:
        fact['source'] = 'external'
        fact['external_reference'] = f'{prefix}{rng.randrange(10 ** 10):010d}'
    return fact


def plan_applicant(rng, uniques, refs, serial, date=REFERENCE_DATE):
    """One random applicant as plain values.

    refs: 'districts' code → id, 'streets' [ids of the Yuexiu streets].
    Foreign keys to other new records (party, web user, applicant) are
    filled in by create_applicants()."""
    districts = refs['districts']
    last = date - dt.timedelta(days=30)
    sex = rng.choice(['male', 'female'])
    birth = random_date(rng, dt.date(1975, 1, 1), dt.date(1998, 12, 31))
    region = rng.choices(REGION_CODES, REGION_WEIGHTS)[0]
    surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
    name = make_name(rng, sex, surname)
    street = rng.choice(refs['streets'])

    # Residence permit: mostly Yuexiu, from 2009-2018 (and adult).
    if rng.random() < 0.88:
        district = YUEXIU
    else:
        district = rng.choice(sorted(set(districts) - {YUEXIU}))
    permit_start = random_date(rng,
        max(dt.date(2009, 1, 1), add_years(birth, 18)),
        dt.date(2018, 12, 31))
    permit = {
        'number': f'GD{district}{permit_start.year}{serial:07d}',
        'district': districts[district],
        'street': street if district == YUEXIU else None,
        'date_start': permit_start,
        'source': 'external' if rng.random() < 0.3 else 'declared',
        }

    facts = []
    # Where the applicant lives (permit's district).
    moved_in = min(permit_start + dt.timedelta(days=rng.randint(0, 365)),
        last)
    draw = rng.random()
    if draw < 0.15:
        facts.append(_fact('residence_owned', moved_in,
                district=districts[district]))
    elif draw < 0.85:
        facts.append(_fact('residence_rented', moved_in,
                district=districts[district], flag=rng.random() < 0.9))
    else:
        facts.append(_fact('residence_dormitory', moved_in,
                district=districts[district]))
    if district not in CORE and moved_in.year > 2009 and rng.random() < 0.5:
        # Lived in Yuexiu before moving out of the central districts.
        facts.append(_fact('residence_rented',
                random_date(rng, dt.date(2008, 1, 1),
                    moved_in - dt.timedelta(days=400)),
                moved_in - dt.timedelta(days=1),
                district=districts[YUEXIU], flag=True))

    # Work and social insurance.
    draw = rng.random()
    start = min(permit_start + dt.timedelta(days=rng.randint(0, 180)), last)
    employed = draw < 0.96
    if draw < 0.88:
        facts.append(_external(rng, _fact('employment', start), 0.3, 'JY'))
    elif employed:
        facts.append(_fact('business', start))
    if employed:
        count = rng.choices([1, 2, 3, 4, 5], [10, 15, 20, 25, 30])[0]
        levels = INSURANCE_ORDER[:count]
    else:
        levels = ['medical']
    for level in levels:
        date_from = min(start + dt.timedelta(days=rng.randint(0, 90)), last)
        date_to = None
        if rng.random() < 0.15 and (last - date_from).days > 400:
            date_to = random_date(rng, date_from + dt.timedelta(days=365),
                last)
        facts.append(_external(rng, _fact('insurance', date_from, date_to,
                    level=level), 0.5, 'SB'))
    if len(levels) < 5 and rng.random() < 0.2 and start.year > 2009:
        # An earlier job: pension paid before a gap.
        end = start - dt.timedelta(days=rng.randint(30, 200))
        facts.append(_external(rng, _fact('insurance',
                    random_date(rng, dt.date(2007, 1, 1),
                        end - dt.timedelta(days=200)),
                    end, level='pension'), 0.5, 'SB'))

    # Education: the highest level reached before the reference date.
    if rng.random() < 0.9:
        level = rng.choices(list(GRADUATION_AGE), [35, 33, 25, 7])[0]
        order = list(GRADUATION_AGE)
        while order.index(level) and dt.date(
                birth.year + GRADUATION_AGE[level], 7, 1) > last:
            level = order[order.index(level) - 1]
        facts.append(_fact('education',
                dt.date(birth.year + GRADUATION_AGE[level], 7, 1),
                level=level,
                source='external' if rng.random() < 0.2 else 'declared'))

    # Occasional bonus facts.
    if rng.random() < 0.25:
        facts.append(_fact('skill',
                random_date(rng, max(dt.date(2010, 1, 1),
                        add_years(birth, 20)), last),
                level=rng.choices(['basic', 'junior', 'senior'],
                    [50, 35, 15])[0],
                flag=rng.random() < 0.6))
    if rng.random() < 0.2:
        for _ in range(rng.randint(1, 4)):
            facts.append(_fact('volunteer',
                    random_date(rng, dt.date(2015, 1, 1),
                        dt.date(2018, 12, 31)),
                    quantity=Decimal(rng.randint(8, 120))))
    if rng.random() < 0.08:
        for _ in range(rng.randint(1, 3)):
            facts.append(_fact('blood_donation',
                    random_date(rng, dt.date(2014, 1, 1),
                        dt.date(2018, 12, 31)),
                    quantity=Decimal(1)))
    if rng.random() < 0.02:
        for _ in range(rng.randint(1, 2)):
            facts.append(_fact(
                    rng.choices(['patent_invention', 'patent_utility',
                            'patent_design'], [20, 50, 30])[0],
                    random_date(rng, dt.date(2014, 1, 1),
                        dt.date(2018, 12, 31)),
                    quantity=Decimal(rng.randint(1, 5)),
                    flag=rng.random() < 0.4))
    if rng.random() < 0.06:
        facts.append(_fact('hightech_job',
                random_date(rng, max(dt.date(2012, 1, 1), start), last)))
    if rng.random() < 0.05:
        facts.append(_fact('urgent_trade',
                random_date(rng, max(dt.date(2012, 1, 1), start), last),
                flag=rng.random() < 0.5))
    if rng.random() < 0.03:
        base = rng.randint(20000, 45000)
        for year in (2016, 2017, 2018):
            facts.append(_external(rng, _fact('tax',
                        dt.date(year, 12, 31), dt.date(year, 12, 31),
                        quantity=Decimal(base + rng.randint(0, 15000))),
                    0.7, 'SW'))
    if rng.random() < 0.02:
        facts.append(_fact('award',
                random_date(rng, dt.date(2014, 1, 1), dt.date(2018, 12, 31)),
                level=rng.choices(['city', 'district'], [40, 60])[0]))
    if rng.random() < 0.02:
        facts.append(_external(rng, _fact('credit',
                    random_date(rng, dt.date(2016, 1, 1), last)), 0.8, 'XY'))
    if rng.random() < 0.005:
        facts.append(_external(rng, _fact('violation',
                    random_date(rng, dt.date(2015, 1, 1), last),
                    level=rng.choice(['public_security', 'tax_evasion'])),
                1, 'GA'))

    # Family: 1-2 children (born 2008-2013 when the parent's age allows,
    # else later), sometimes the spouse.
    family = []
    low = max(dt.date(2008, 1, 1), add_years(birth, 20))
    high = dt.date(2013, 12, 31) if low <= dt.date(2013, 12, 31) else last
    for _ in range(rng.choices([1, 2], [60, 40])[0]):
        child_sex = rng.choice(['male', 'female'])
        family.append({
                'relation': 'child',
                'name': make_name(rng, child_sex,
                    surname if rng.random() < 0.85 else None),
                'id_number': uniques.id_number(rng,
                    region if rng.random() < 0.75
                    else rng.choices(REGION_CODES, REGION_WEIGHTS)[0],
                    random_date(rng, low, high), child_sex),
                })
    if rng.random() < 0.5:
        spouse_sex = 'female' if sex == 'male' else 'male'
        spouse_birth = min(max(random_date(rng, add_years(birth, -4),
                    add_years(birth, 4)), dt.date(1970, 1, 1)),
            dt.date(1999, 12, 31))
        family.append({
                'relation': 'spouse',
                'name': make_name(rng, spouse_sex),
                'id_number': uniques.id_number(rng,
                    rng.choices(REGION_CODES, REGION_WEIGHTS)[0],
                    spouse_birth, spouse_sex),
                })

    return {
        'name': name,
        'id_number': uniques.id_number(rng, region, birth, sex),
        'phone': uniques.phone(rng),
        'street': street,
        'permits': [permit],
        'family': family,
        'facts': facts,
        }


def plan_demo_applicant(uniques, refs):
    "陈小燕: a Yuexiu renter since 2011 whose statement has many lines"
    districts = refs['districts']
    yuexiu = districts[YUEXIU]
    street = refs['streets'][0]
    id_number = '44051319880312' + '024'
    id_number += id_check_digit(id_number)
    son = '44051320121015' + '051'
    son += id_check_digit(son)
    daughter = '44051320150606' + '062'
    daughter += id_check_digit(daughter)
    husband = '44058219860920' + '153'
    husband += id_check_digit(husband)
    uniques.id_numbers.update({id_number, son, daughter, husband})
    d = dt.date
    facts = [
        _fact('residence_rented', d(2011, 5, 1), d(2012, 2, 29),
            district=yuexiu, flag=False,
            description="租住越秀区（未备案）"),
        # 7 registered years: 14 points, capped at 10
        _fact('residence_rented', d(2012, 3, 1), district=yuexiu,
            flag=True, description="越秀区东风中路租赁，已备案"),
        _fact('employment', d(2011, 4, 1), source='external',
            external_reference='JY2011044010400123',
            description="广州某贸易有限公司"),
        _fact('insurance', d(2011, 4, 1), level='pension',
            source='external', external_reference='SB4401040011223'),
        _fact('insurance', d(2011, 4, 1), d(2015, 12, 31),
            level='medical', source='external',
            external_reference='SB4401040011224'),
        _fact('insurance', d(2016, 3, 1), level='medical',
            source='external', external_reference='SB4401040011225'),
        _fact('insurance', d(2012, 1, 1), level='unemployment'),
        _fact('insurance', d(2012, 1, 1), level='injury'),
        _fact('insurance', d(2014, 7, 1), level='maternity'),
        _fact('education', d(2010, 7, 1), level='bachelor',
            description="华南师范大学 本科"),
        _fact('skill', d(2016, 11, 20), level='junior', flag=True,
            description="助理会计师"),
        _fact('volunteer', d(2016, 3, 12), quantity=Decimal(60)),
        _fact('volunteer', d(2017, 9, 9), quantity=Decimal(85)),
        _fact('volunteer', d(2018, 5, 20), quantity=Decimal(52)),
        _fact('blood_donation', d(2017, 6, 14), quantity=Decimal(1)),
        _fact('blood_donation', d(2018, 6, 14), quantity=Decimal(1)),
        _fact('patent_utility', d(2017, 8, 1), quantity=Decimal(2),
            flag=True, description="一种可折叠货架"),
        _fact('award', d(2018, 1, 15), level='district',
            description="越秀区优秀来穗人员"),
        _fact('credit', d(2018, 5, 1), source='external',
            external_reference='XY2018050100042',
            description="信用卡逾期"),
        ]
    return {
        'name': DEMO_NAME,
        'id_number': id_number,
        'phone': DEMO_PHONE,
        'street': street,
        'permits': [{
                'number': 'GD4401042011' + '0000001',
                'district': yuexiu,
                'street': street,
                'date_start': d(2011, 3, 1),
                'source': 'external',
                }],
        'family': [
            {'relation': 'child', 'name': '林浩然', 'id_number': son},
            {'relation': 'child', 'name': '林思琪', 'id_number': daughter},
            {'relation': 'spouse', 'name': '林建国', 'id_number': husband},
            ],
        'facts': facts,
        }


# Database -----------------------------------------------------------------
def references(pool):
    "Ids of the districts (by code) and of the Yuexiu streets"
    District = pool.get('laisui.district')
    Street = pool.get('laisui.street')
    districts = {d.code: d.id for d in District.search([])}
    streets = [s.id for s in Street.search(
            [('district.code', '=', YUEXIU)], order=[('id', 'ASC')])]
    if YUEXIU not in districts or not streets:
        raise SystemExit('laisui_points reference data (districts, streets) '
            'is missing: is the module activated?')
    return {'districts': districts, 'streets': streets}


def existing_uniques(pool):
    "The ID numbers and phones already used in the database"
    Applicant = pool.get('laisui.applicant')
    Member = pool.get('laisui.family.member')
    WebUser = pool.get('web.user')
    id_numbers, phones = set(), set()
    for Model, fields in [(Applicant, ['id_number', 'phone']),
            (Member, ['id_number']), (WebUser, ['phone'])]:
        table = Model.__table__()
        cursor = _cursor()
        cursor.execute(*table.select(
                *[getattr(table, f) for f in fields]))
        for row in cursor:
            values = dict(zip(fields, row))
            if values.get('id_number'):
                id_numbers.add(values['id_number'])
            if values.get('phone'):
                phones.add(values['phone'])
    return Uniques(id_numbers, phones)


def _cursor():
    from trytond.transaction import Transaction
    return Transaction().connection.cursor()


def create_applicants(pool, plans, password_hash):
    """Create the planned applicants with one create() call per model
    (web.user goes by slices of 50 on SQLite, see below).

    Returns the applicant ids in the order of the plans."""
    from trytond import backend
    Party = pool.get('party.party')
    WebUser = pool.get('web.user')
    Applicant = pool.get('laisui.applicant')
    Permit = pool.get('laisui.residence.permit')
    Member = pool.get('laisui.family.member')
    Fact = pool.get('laisui.fact')
    if not plans:
        return []
    parties = Party.create([{'name': p['name']} for p in plans])
    vlist = [{
            'phone': p['phone'],
            'password_hash': password_hash,
            'party': party.id,
            } for p, party in zip(plans, parties)]
    # SQLite has no EXCLUDE constraint: trytond checks web.user's
    # phone_exclude/email_exclude with one OR-clause per created record,
    # nested so deep that ~90 records overflow SQLite's parser stack.
    size = 50 if backend.name == 'sqlite' else len(vlist)
    web_users = []
    for i in range(0, len(vlist), size):
        web_users += WebUser.create(vlist[i:i + size])
    applicants = Applicant.create([{
                'name': p['name'],
                'id_number': p['id_number'],
                'phone': p['phone'],
                'street': p['street'],
                'party': party.id,
                'web_user': web_user.id,
                } for p, party, web_user in zip(plans, parties, web_users)])
    ids = [a.id for a in applicants]
    for Model, key in [(Permit, 'permits'), (Member, 'family'),
            (Fact, 'facts')]:
        vlist = [dict(values, applicant=applicant_id)
            for plan, applicant_id in zip(plans, ids)
            for values in plan[key]]
        if vlist:
            Model.create(vlist)
    return ids


def generate(pool, count, rng, password=None, demo=True, chunk=5000,
        uniques=None):
    """Create `count` applicants (the first is 陈小燕 when `demo`) with
    their party, portal account, permit, family and facts.

    Statements are NOT computed (the caller runs Statement.compute once).
    Creation goes by chunks of `chunk` applicants, one create() call per
    model and chunk.  Returns the applicant ids in creation order."""
    from trytond.transaction import Transaction
    WebUser = pool.get('web.user')
    password = password or os.environ.get(
        'LAISUI_DEMO_PASSWORD') or DEFAULT_PASSWORD
    # One argon2 hash (about 0.25 s) shared by all the demo accounts:
    # hashing each password would take minutes.
    password_hash = WebUser.hash_password(password)
    refs = references(pool)
    uniques = uniques or existing_uniques(pool)
    ids = []
    pending = []
    if demo and count and DEMO_PHONE not in _taken_phones(pool):
        pending.append(plan_demo_applicant(uniques, refs))
    serial = 1
    with Transaction().set_context(laisui_defer_statements=True):
        while len(ids) < count:
            while len(pending) < chunk and len(ids) + len(pending) < count:
                serial += 1
                pending.append(plan_applicant(rng, uniques, refs, serial))
            ids.extend(create_applicants(pool, pending, password_hash))
            pending = []
    return ids


def _taken_phones(pool):
    WebUser = pool.get('web.user')
    Applicant = pool.get('laisui.applicant')
    with _inactive():
        return {u.phone for u in WebUser.search(
                    [('phone', '=', DEMO_PHONE)])} | {
            a.phone for a in Applicant.search([('phone', '=', DEMO_PHONE)])}


def _inactive():
    from trytond.transaction import Transaction
    return Transaction().set_context(active_test=False)


def create_staff(pool, password):
    "Create the missing staff users; return the number created"
    ModelData = pool.get('ir.model.data')
    User = pool.get('res.user')
    Department = pool.get('laisui.department')
    Lang = pool.get('ir.lang')
    with _inactive():
        existing = {u.login for u in User.search(
                    [('login', 'in', [s[0] for s in STAFF])])}
    langs = Lang.search([('code', '=', 'zh_CN'),
            ('translatable', '=', True)])
    if not langs:
        print('warning: zh_CN is not a translatable language of this '
            'database (trytond-admin --all -l zh_CN): staff users keep '
            'the default language', file=sys.stderr)
    departments = {d.code: d.id for d in Department.search([])}
    password_hash = None
    vlist = []
    for index, (login, name, group, codes, _) in enumerate(STAFF, 1):
        if login in existing:
            continue
        # One argon2 hash for all.
        password_hash = password_hash or User.hash_password(password)
        values = {
            'login': login,
            'name': name,
            'password_hash': password_hash,
            'laisui_password_changed': dt.datetime.now(),
            # The SMS code of a staff login ([session] authentications =
            # password+sms in production) goes to this number.
            'mobile': f'1390000{index:04d}',
            'groups': [('add', [ModelData.get_id('laisui_base', group)])],
            }
        if langs:
            values['language'] = langs[0].id
        if codes:
            values['laisui_departments'] = [
                ('add', [departments[c] for c in codes])]
        vlist.append(values)
    if vlist:
        User.create(vlist)
    return len(vlist)


INTEGRITY_CASES = [
    # kind, months before today, reporter login, decision
    ('false_material', 7, 'dept_hrss01', 'confirm'),
    ('forged_document', 6, 'dept_police01', 'confirm'),
    ('false_material', 5, 'reviewer01', 'dismiss'),
    ('intermediary_fraud', 4, 'reviewer01', 'confirm'),
    ('concealment', 3, 'dept_hrss01', 'confirm'),
    ('false_material', 2, 'window01', 'appeal'),
    ('forged_document', 1, 'dept_police01', None),
    ('false_material', 0, 'reviewer01', None),
    ]


def create_integrity(pool, rng, applicant_ids):
    """A few integrity records over the last months: confirmed, dismissed,
    appealed and still reported, so the register and its statistics show
    something. Skipped when laisui_integrity is not activated."""
    import datetime as dt
    from trytond.transaction import Transaction
    try:
        Record = pool.get('laisui.integrity.record')
    except KeyError:
        return 0
    Appeal = pool.get('laisui.integrity.appeal')
    User = pool.get('res.user')
    users = {u.login: u.id for u in User.search([])}
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    # Never the demo applicant (the first id): the demo must let her apply.
    targets = rng.sample(applicant_ids[1:], len(INTEGRITY_CASES))
    for (kind, months, login, decision), applicant_id in zip(
            INTEGRITY_CASES, targets):
        when = now - dt.timedelta(days=30 * months + rng.randint(0, 20))
        with Transaction().set_context(_laisui_now=when), \
                Transaction().set_user(users.get(login, 0)):
            record, = Record.create([{
                        'applicant': applicant_id,
                        'kind': kind,
                        'description': "核查发现申报材料与部门数据不一致，"
                        "经电话核实申请人无法说明来源。",
                        }])
        with Transaction().set_context(_laisui_now=when), \
                Transaction().set_user(users.get('districtadmin01', 0)):
            if decision == 'dismiss':
                record.decision_note = "复核原件无误，系录入错误。"
                record.save()
                Record.dismiss([record])
            elif decision in {'confirm', 'appeal'}:
                Record.confirm([record])
        if decision == 'appeal' and record.entries:
            with Transaction().set_context(_laisui_now=when):
                Appeal.lodge(record.entries[0],
                    "材料由中介代办，本人不知情，现补交劳动合同原件。")
    return len(INTEGRITY_CASES)


def set_reference_date(pool, date=REFERENCE_DATE):
    Configuration = pool.get('laisui.points.configuration')
    config = Configuration(1)
    config.reference_date = date
    config.save()


API_CLIENT = "市来穗局数据平台（演示）"
API_SCOPES = ['points:read', 'review:read', 'admission:read', 'voucher:read',
    'integrity:check']


def create_api_client(database):
    """The demo's outside system of the data API and a new secret for
    it (the old one stops working): (client id, secret), or None without
    laisui_api"""
    from trytond.modules.laisui_base.tests.tools import committed
    from trytond.pool import Pool

    def make():
        pool = Pool()
        try:
            Client = pool.get('laisui.api.client')
        except KeyError:
            return None
        Scope = pool.get('laisui.api.scope')
        clients = Client.search([('name', '=', API_CLIENT)])
        if not clients:
            clients = Client.create([{'name': API_CLIENT,
                        'scopes': [('add', [s.id for s in Scope.search(
                                            [('code', 'in', API_SCOPES)])])],
                        }])
        client, = clients
        return client.client_id, client.make_secret()
    return committed(database, make)


def write_logins(path, database, password, web_listen, api_client=None):
    host = web_listen or '127.0.0.1:8000'
    if host.startswith(('0.0.0.0', 'localhost')):
        host = '127.0.0.1:' + host.rsplit(':', 1)[-1]
    width = max(len(s[0]) for s in STAFF) + 2
    lines = [
        f'越秀区来穗人员积分制服务系统 演示账号（数据库 {database}）',
        '',
        f'后台（Tryton 网页客户端）：http://{host}/#{database}',
        f'工作人员账号，密码均为 {password}：',
        ]
    lines += [f'  {login:<{width}}{name:\u3000<4}{role}'
        for login, name, _, _, role in STAFF]
    lines += [
        '',
        f'申请人门户：http://{host}/{database}/portal/',
        f'  演示申请人 {DEMO_NAME}：手机号 {DEMO_PHONE}，密码 {password}',
        '  其他演示申请人（手机号见后台“申请人”）的门户密码相同。',
        '',
        '短信验证码（注册、验证码登录、找回密码）不会真的发出：开发环境的',
        '短信网关把短信（含验证码）写进服务器日志 var/log/trytond.log，',
        '也记录在后台“来穗积分 / 配置 / 发送短信记录”（短信发件箱，',
        'districtadmin01、sysadmin01、auditor01 可查看）。',
        '',
        f'积分计算基准日为 {REFERENCE_DATE:%Y-%m-%d}（2019 年入学积分，'
        '适用广州市 2018 年指标表 GZ-2018）。',
        ]
    if api_client:
        client_id, secret = api_client
        lines += [
            '',
            f'标准数据接口：http://{host}/{database}/api/v1/openapi.json',
            f'  演示客户端“{API_CLIENT}”（{" ".join(API_SCOPES)}）：',
            f'  client_id {client_id}',
            f'  client_secret {secret}（每次启动演示重新生成）',
            ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('\n'.join(lines) + '\n', encoding='utf-8')


# How far the demo's points verification requests go: (count, passes by
# window and reviewer); three passes reach the automatic comparison.
REVIEWS = [(8, 0), (6, 1), (6, 2), (20, 3)]


def pass_stage(pool, cases):
    """Pass the stage of the cases; at a window acceptance the clerk has
    seen the originals first."""
    Case = pool.get('laisui.review.case')
    Original = pool.get('laisui.review.original')
    cases = Case.browse(cases)
    originals = [o for c in cases if c.stage.acceptance for o in c.originals]
    if originals:
        Original.write(originals, {'verified': True})
    Case.decide(cases, 'pass')


def create_reviews(pool, applicant_ids):
    """Points verification requests at every desk, and a batch through
    the automatic comparison waiting for the departments, so the review
    menus and statistics show something. Skipped without laisui_review
    or for barred applicants."""
    from trytond.exceptions import UserError
    from trytond.transaction import Transaction
    try:
        Request = pool.get('laisui.review.points_request')
    except KeyError:
        return 0
    count = 0
    candidates = iter(applicant_ids[1:])
    for size, passes in REVIEWS:
        requests = []
        while len(requests) < size:
            request, = Request.create([{'applicant': next(candidates)}])
            try:
                Request.submit([request])
            except UserError:
                Request.delete([request])
                continue
            requests.append(request)
        cases = [Request(r.id).review_case for r in requests]
        with Transaction().set_user(0):
            for _ in range(passes):
                pass_stage(pool, cases)
        count += len(requests)
    return count


# Sessions of the seeded services: (service code, name, days from today,
# place, capacity).
SESSIONS = [
    ('integration_training', '第一期：劳动法律法规与城市融入', 7,
        '越秀区来穗人员服务中心培训室（府前路1号）', 30),
    ('integration_training', '第二期：粤语入门与广府文化', 21,
        '越秀区来穗人员服务中心培训室（府前路1号）', 4),
    ('laisui_home_activity', '亲子手工坊', 10, '北京街来穗之家', 20),
    ('laisui_home_activity', '邻里中秋游园会', 40, '农林街来穗之家', 50),
    ]
# Answers of the demo applications, by service code.
ANSWERS = {
    'integration_training': {'employer': '越秀区某商贸有限公司',
        'trade': 'retail', 'courses': ['law', 'cantonese'],
        'childcare': False},
    'volunteer_enrolment': {'interests': ['community', 'traffic'],
        'weekly_hours': 4, 'experience': False,
        'emergency_phone': '13800138000'},
    }


def create_services(pool, applicant_ids):
    """Sessions of the seeded public services and applications to them: a
    full session with its waiting list, approved volunteers with their
    vouchers, trainees whose attendance is recorded. Skipped without
    laisui_services or for applicants who do not qualify."""
    from trytond.exceptions import UserError
    from trytond.transaction import Transaction
    try:
        Service = pool.get('laisui.service')
    except KeyError:
        return 0
    Session = pool.get('laisui.service.session')
    Application = pool.get('laisui.service.application')
    Applicant = pool.get('laisui.applicant')
    now = dt.datetime.now(dt.timezone.utc).replace(
        tzinfo=None, minute=0, second=0, microsecond=0)
    services = {s.code: s for s in Service.search([])}
    sessions = {}
    for code, name, days, place, capacity in SESSIONS:
        start = now + dt.timedelta(days=days)
        session, = Session.create([{'service': services[code].id,
                    'name': name, 'start': start,
                    'end': start + dt.timedelta(hours=3), 'place': place,
                    'capacity': capacity}])
        sessions.setdefault(code, []).append(session)
    count = 0
    candidates = iter(applicant_ids[200:])
    # (service, session index, how many, stages passed)
    for code, index, size, passes in [
            ('integration_training', 1, 6, 2),
            ('integration_training', 0, 8, 0),
            ('volunteer_enrolment', None, 6, 2),
            ]:
        service = services[code]
        applications = []
        while len(applications) < size:
            applicant = Applicant(next(candidates))
            try:
                draft = Application.draft_for(applicant, service)
            except UserError:
                continue
            try:
                upload_materials(pool, applicant, draft.missing_materials())
                if index is not None:
                    draft.session = sessions[code][index]
                    draft.save()
                Application.store_answers(draft,
                    draft.version.form, ANSWERS[code])
                Application.submit([draft])
            except UserError:
                # Not eligible: no draft left behind.
                Application.delete([draft])
                continue
            applications.append(draft)
        cases = [Application(a.id).review_case for a in applications]
        with Transaction().set_user(0):
            for _ in range(passes):
                pass_stage(pool, cases)
        count += len(applications)
    return count


def upload_materials(pool, applicant, types):
    "A scanned page (a blank PNG) of each evidence type for the applicant"
    import io
    from PIL import Image
    Evidence = pool.get('laisui.evidence')
    buffer = io.BytesIO()
    Image.new('RGB', (600, 400), 'white').save(buffer, 'PNG')
    Evidence.create([{'applicant': applicant.id, 'type': t.id,
                'data': buffer.getvalue()} for t in types])


# Schools of the demo round: (name, stage, kind, places). Fictitious.
SCHOOLS = [
    ('越秀区东山第一小学', 'grade1', 'public', 45),
    ('越秀区北京街第二小学', 'grade1', 'public', 40),
    ('越秀区农林下路小学', 'grade1', 'public', 35),
    ('越秀区登峰街小学', 'grade1', 'purchased', 50),
    ('越秀区洪桥第三小学', 'grade1', 'public', 30),
    ('越秀区华乐街实验小学', 'grade1', 'purchased', 40),
    ('越秀区大塘街中学', 'grade7', 'public', 30),
    ('越秀区流花中学', 'grade7', 'public', 25),
    ('越秀区六榕街中学', 'grade7', 'purchased', 35),
    ]


def create_admission(pool, rng, applicant_ids, limit=150):
    """The 2019 round (points cut-off on the demo reference date), its
    schools and seat plans, applications of the demo applicants that meet
    type A or B, most of them reviewed, and a dry run of the allocation.
    The application window is open around today so that the demo portal
    can apply. Skipped without laisui_admission."""
    from trytond.exceptions import UserError
    from trytond.transaction import Transaction
    try:
        Round = pool.get('laisui.admission.round')
    except KeyError:
        return 0
    School = pool.get('laisui.admission.school')
    Type = pool.get('laisui.admission.type')
    Application = pool.get('laisui.admission.application')
    Member = pool.get('laisui.family.member')
    Request = pool.get('laisui.review.points_request')
    Case = pool.get('laisui.review.case')
    Line = pool.get('laisui.review.line')
    Run = pool.get('laisui.admission.run')
    age_date = dt.date(2019, 8, 31)
    now = dt.datetime.now(dt.timezone.utc).replace(
        tzinfo=None, microsecond=0)
    round_, = Round.create([{
                'name': '2019年越秀区来穗人员随迁子女积分制入学',
                'year': 2019, 'points_cutoff': REFERENCE_DATE,
                'age_date': age_date,
                'application_start': now - dt.timedelta(days=20),
                'application_end': now + dt.timedelta(days=30),
                'publication_start': now + dt.timedelta(days=40),
                'publication_end': now + dt.timedelta(days=47),
                'objection_end': now + dt.timedelta(days=47),
                'stages': [('create', [
                            {'stage': 'grade1', 'min_age': 6,
                                'school_record': 'none'},
                            {'stage': 'grade7',
                                'school_record': 'primary_graduate'},
                            ])],
                }])
    Round.open([round_])
    schools = School.create([{'code': f'YX{i:03d}', 'name': name,
                'stage': stage, 'kind': kind}
            for i, (name, stage, kind, _) in enumerate(SCHOOLS, 1)])
    round_.seat_plans = [{'school': s.id, 'places': places}
        for s, (_, _, _, places) in zip(schools, SCHOOLS)]
    Round.save([round_])
    by_stage = {stage: [s for s in schools if s.stage == stage]
        for stage in ('grade1', 'grade7')}
    types = Type.search([])
    # Children's school records as their age implies.
    children = Member.search([('applicant', 'in', applicant_ids),
            ('relation', '=', 'child')])
    for child in children:
        age = age_date.year - child.birth_date.year - (
            (age_date.month, age_date.day)
            < (child.birth_date.month, child.birth_date.day))
        child.school_record = ('none' if age <= 6
            else 'primary_graduate' if age == 12 else 'primary')
    Member.save(children)
    submitted = []
    for child in children:
        if len(submitted) >= limit:
            break
        stage = {'none': 'grade1', 'primary_graduate': 'grade7'}.get(
            child.school_record)
        if not stage:
            continue
        if not Request.search([('applicant', '=', child.applicant.id),
                    ('state', 'in', ['review', 'returned'])]):
            Request.create([{'applicant': child.applicant.id,
                        'state': 'approved'}])
        for type_ in types:
            application, = Application.create([{
                        'round': round_.id, 'applicant': child.applicant.id,
                        'child': child.id, 'stage': stage,
                        'type': type_.id,
                        'preferences': [('create', [
                                    {'school': school.id, 'sequence': i}
                                    for i, school in enumerate(rng.sample(
                                            by_stage[stage], 3))])],
                        }])
            try:
                Application.submit([application])
            except UserError:
                Application.delete([application])
                continue
            submitted.append(application)
            break
    # Most through the whole review, as the system.
    with Transaction().set_user(0):
        for application in submitted[:len(submitted) * 4 // 5]:
            case = Application(application.id).review_case
            while Case(case.id).state == 'open':
                case = Case(case.id)
                if case.stage.kind == 'department':
                    Line.decide([(l, 'confirm', None, None)
                            for l in case.lines if l.state == 'pending'])
                else:
                    pass_stage(pool, [case])
    Round.commit_seed([round_])
    run, = Run.create([{'round': round_.id}])
    Run.execute([run])
    return len(submitted)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('-c', '--config', dest='config',
        default=os.environ.get('TRYTOND_CONFIG'),
        help="trytond configuration file (default $TRYTOND_CONFIG)")
    parser.add_argument('-d', '--database', dest='database', required=True)
    parser.add_argument('--applicants', type=int, default=2000)
    parser.add_argument('--seed', type=int, default=2019)
    parser.add_argument('--logins-file', type=Path,
        default=ROOT / 'var' / 'demo-logins.txt',
        help="where to write the demo logins (default var/demo-logins.txt)")
    args = parser.parse_args(argv)

    from trytond import config
    if args.config:
        config.update_etc(args.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    password = os.environ.get('LAISUI_DEMO_PASSWORD') or DEFAULT_PASSWORD
    rng = random.Random(args.seed)
    start = time.perf_counter()
    timings = {}
    counts = {}
    database = args.database
    # The keys made on first use lock their table, which a request takes
    # by retrying: a script takes the lock up front.
    with Transaction().start(database, 0, _lock_tables=[
                'laisui_secret', 'laisui_credential_key']) as transaction:
        pool = Pool(database)
        pool.init()
        pool.get('laisui.secret').get_key()
        pool.get('laisui.credential.key').signing_key()
        transaction.commit()
    with Transaction().start(database, 0,
            context={'language': 'zh_CN'}) as transaction:
        pool = Pool(database)
        pool.init()
        try:
            Applicant = pool.get('laisui.applicant')
        except KeyError:
            raise SystemExit(f'laisui_points is not activated in {database}')
        Statement = pool.get('laisui.points.statement')
        Fact = pool.get('laisui.fact')
        timings['init'] = time.perf_counter() - start

        t = time.perf_counter()
        counts['staff'] = create_staff(pool, password)
        timings['staff'] = time.perf_counter() - t

        if Applicant.search_count([]):
            counts['applicants'] = 'skipped'
        else:
            set_reference_date(pool)
            t = time.perf_counter()
            ids = generate(pool, args.applicants, rng, password=password)
            counts['applicants'] = len(ids)
            counts['facts'] = Fact.search_count([])
            timings['create'] = time.perf_counter() - t
            t = time.perf_counter()
            counts['statements'] = Statement.compute(ids, REFERENCE_DATE)
            timings['statements'] = time.perf_counter() - t
            counts['integrity'] = create_integrity(pool, rng, ids)
            counts['reviews'] = create_reviews(pool, ids)
            counts['admission'] = create_admission(pool, rng, ids)
            counts['services'] = create_services(pool, ids)
        t = time.perf_counter()
        transaction.commit()
        timings['commit'] = time.perf_counter() - t
        total_applicants = Applicant.search_count([])

    write_logins(args.logins_file, database, password,
        config.get('web', 'listen'), create_api_client(database))
    summary = ' '.join(f'{k}={v}' for k, v in counts.items())
    times = ' '.join(f'{k}={v:.1f}s' for k, v in timings.items())
    print(f'demo data {database}: {summary} (applicants in database: '
        f'{total_applicants}) in {time.perf_counter() - start:.1f}s '
        f'[{times}]; logins: {args.logins_file}')


if __name__ == '__main__':
    ensure_optimized()
    main()
