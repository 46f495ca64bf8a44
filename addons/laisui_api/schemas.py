# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The JSON schemas of the API's answers and bodies (OpenAPI 3.0), and
its query parameters. The resources build their answers to these shapes;
the test suite checks every answer against them (Schemathesis)."""
from .call import DEFAULT_PAGE, MAX_ID, MAX_PAGE


def _ref(name):
    return {'$ref': f'#/components/schemas/{name}'}


def _nullable(schema):
    return dict(schema, nullable=True)


def _page(item):
    return {
        'type': 'object',
        'required': ['items', 'next'],
        'properties': {
            'items': {'type': 'array', 'items': _ref(item)},
            'next': _nullable({'type': 'string',
                    'description': "The next page, null on the last."}),
            },
        }


_STRING = {'type': 'string'}
_DATE = {'type': 'string', 'format': 'date'}
_TIMESTAMP = {'type': 'string', 'format': 'date-time'}
_POINTS = {'type': 'number'}
_ID = {'type': 'integer', 'minimum': 1, 'maximum': MAX_ID}

SCHEMAS = {
    'Problem': {
        'type': 'object',
        'description': "RFC 9457 problem details; `detail` in zh_CN.",
        'required': ['type', 'title', 'status', 'detail'],
        'properties': {
            'type': _STRING,
            'title': _STRING,
            'status': {'type': 'integer'},
            'detail': _STRING,
            },
        },
    'Token': {
        'type': 'object',
        'required': ['access_token', 'token_type', 'expires_in', 'scope'],
        'properties': {
            'access_token': _STRING,
            'token_type': {'type': 'string', 'enum': ['Bearer']},
            'expires_in': {'type': 'integer'},
            'scope': _STRING,
            },
        },
    'TokenError': {
        'type': 'object',
        'required': ['error'],
        'properties': {
            'error': _STRING,
            'error_description': _STRING,
            },
        },
    'Person': {
        'type': 'object',
        'description': "Name and ID number masked unless the token has a "
        "scope for whole personal data.",
        'required': ['id', 'name', 'id_number'],
        'properties': {
            'id': _ID,
            'name': _STRING,
            'id_number': _nullable(_STRING),
            },
        },
    'StatementLine': {
        'type': 'object',
        'required': ['indicator', 'name', 'category', 'points', 'source'],
        'properties': {
            'indicator': _STRING,
            'name': _STRING,
            'category': {'type': 'string',
                'enum': ['base', 'bonus', 'deduction']},
            'points': _nullable(_POINTS),
            'source': _nullable({'type': 'string',
                    'enum': ['declared', 'evidence', 'external']}),
            },
        },
    'Statement': {
        'type': 'object',
        'description': "An applicant's current points, line by line.",
        'required': ['id', 'applicant', 'total', 'reference_date',
            'computed_at', 'rule_set', 'lines'],
        'properties': {
            'id': _ID,
            'applicant': _ref('Person'),
            'total': _nullable(_POINTS),
            'reference_date': _nullable(_DATE),
            'computed_at': _nullable(_TIMESTAMP),
            'rule_set': _nullable(_STRING),
            'lines': {'type': 'array', 'items': _ref('StatementLine')},
            },
        },
    'Case': {
        'type': 'object',
        'description': "A review case: where an application is.",
        'required': ['id', 'document', 'applicant', 'workflow', 'stage',
            'state', 'entered_at', 'deadline'],
        'properties': {
            'id': _ID,
            'document': _STRING,
            'applicant': _ref('Person'),
            'workflow': _STRING,
            'stage': _nullable(_STRING),
            'state': {'type': 'string', 'enum': [
                    'open', 'returned', 'approved', 'rejected',
                    'withdrawn']},
            'entered_at': _nullable(_TIMESTAMP),
            'deadline': _nullable(_DATE),
            },
        },
    'AdmissionResult': {
        'type': 'object',
        'description': "One line of a published allocation run, as the "
        "public results page shows it.",
        'required': ['id', 'run', 'round', 'applicant', 'child', 'rank',
            'score', 'school', 'preference', 'published_at'],
        'properties': {
            'id': _ID,
            'run': _ID,
            'round': _STRING,
            'applicant': _STRING,
            'child': _nullable(_STRING),
            'rank': _nullable({'type': 'integer'}),
            'score': _nullable(_POINTS),
            'school': _nullable(_STRING),
            'preference': _nullable({'type': 'integer'}),
            'published_at': _TIMESTAMP,
            },
        },
    'Credential': {
        'type': 'object',
        'description': "A voucher, admission notice or points "
        "certificate, and whether it holds now.",
        'required': ['number', 'kind', 'title', 'state', 'issued_at',
            'expires_at', 'revoked_at'],
        'properties': {
            'number': _STRING,
            'kind': _STRING,
            'title': _STRING,
            'state': {'type': 'string',
                'enum': ['valid', 'expired', 'revoked']},
            'issued_at': _TIMESTAMP,
            'expires_at': _nullable(_TIMESTAMP),
            'revoked_at': _nullable(_TIMESTAMP),
            },
        },
    'IntegrityQuestions': {
        'type': 'object',
        'required': ['checks'],
        'additionalProperties': False,
        'properties': {
            'date': _DATE,
            'checks': {
                'type': 'array', 'minItems': 1, 'maxItems': MAX_PAGE,
                'items': {
                    'type': 'object',
                    'required': ['id_number', 'service'],
                    'additionalProperties': False,
                    'properties': {
                        'id_number': {'type': 'string',
                            'pattern': '^[0-9]{17}[0-9Xx]$',
                            'description': "18 characters, its check "
                            "digit right (GB 11643)."},
                        'service': {'type': 'string', 'minLength': 1,
                            'maxLength': 64},
                        },
                    },
                },
            },
        },
    'IntegrityAnswers': {
        'type': 'object',
        'required': ['date', 'results'],
        'properties': {
            'date': _DATE,
            'results': {'type': 'array', 'items': {
                    'type': 'object',
                    'required': ['id_number', 'service', 'known',
                        'allowed', 'kind', 'barred_until'],
                    'properties': {
                        'id_number': _STRING,
                        'service': _STRING,
                        'known': {'type': 'boolean', 'description':
                            "Whether the ID number is an applicant's."},
                        'allowed': {'type': 'boolean'},
                        'kind': _nullable(_STRING),
                        'barred_until': _nullable(_DATE),
                        },
                    }},
            },
        },
    }
for _item in ['Statement', 'Case', 'AdmissionResult']:
    SCHEMAS[f'{_item}Page'] = _page(_item)

QUERY = {
    'after': {'name': 'after', 'in': 'query', 'required': False,
        'description': "The id after which the page starts.",
        'schema': {'type': 'integer', 'minimum': 0, 'maximum': MAX_ID,
            'default': 0}},
    'limit': {'name': 'limit', 'in': 'query', 'required': False,
        'schema': {'type': 'integer', 'minimum': 1, 'maximum': MAX_PAGE,
            'default': DEFAULT_PAGE}},
    'state': {'name': 'state', 'in': 'query', 'required': False,
        'schema': SCHEMAS['Case']['properties']['state']},
    'run': {'name': 'run', 'in': 'query', 'required': False,
        'description': "Only this run's lines.",
        'schema': _ID},
    }
