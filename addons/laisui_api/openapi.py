# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The OpenAPI 3 document of /api/v1, built by apispec from the resources'
declarations (registry.py) and schemas (schemas.py), with the scopes of
the database (laisui.api.scope) in its OAuth 2 flow."""
from apispec import APISpec

from .registry import RESOURCES
from .schemas import QUERY, SCHEMAS

VERSION = '1.0.0'
DESCRIPTION = (
    "越秀区来穗人员积分制服务管理信息系统的标准数据接口。"
    "客户端以 OAuth 2 客户端凭证（client credentials）取得访问令牌，"
    "令牌的 scope 决定可读的资源；姓名与身份证号码默认脱敏。"
    "每个客户端每分钟的请求数有上限（429 与 Retry-After），"
    "每个 POST 须带 Idempotency-Key。错误为 RFC 9457 problem details。")


def _problem(description):
    return {
        'description': description,
        'content': {'application/problem+json': {
                'schema': {'$ref': '#/components/schemas/Problem'}}},
        }


def _limits():
    integer = {'schema': {'type': 'integer'}}
    return {
        'RateLimit-Limit': dict(integer,
            description="Requests allowed a minute"),
        'RateLimit-Remaining': dict(integer,
            description="Requests left in this minute"),
        'RateLimit-Reset': dict(integer,
            description="Seconds until the minute ends"),
        }


def _operation(resource):
    parameters = [dict(QUERY[q]) for q in resource.query]
    for name in resource.path_parameters:
        schema = {'type': 'string', 'minLength': 1, 'maxLength': 64}
        if name == 'id':
            schema = SCHEMAS['Statement']['properties']['id']
        parameters.append({'name': name, 'in': 'path', 'required': True,
                'schema': schema})
    responses = {
        '200': {
            'description': "OK",
            'headers': _limits(),
            'content': {'application/json': {'schema': {
                        '$ref': f'#/components/schemas/{resource.response}'
                        }}},
            },
        '400': _problem("请求参数有误"),
        '401': _problem("未提供或无效的访问令牌"),
        '403': _problem("令牌没有所需的 scope 或无权访问"),
        '429': _problem("请求过于频繁"),
        }
    if resource.path_parameters:
        responses['404'] = _problem("记录不存在")
    operation = {
        'operationId': resource.name,
        'summary': resource.summary,
        'parameters': parameters,
        'responses': responses,
        'security': [{'oauth2': [resource.scope]}],
        }
    if resource.body:
        parameters.append({'name': 'Idempotency-Key', 'in': 'header',
                'required': True, 'schema': {'type': 'string',
                    'minLength': 1, 'maxLength': 255}})
        operation['requestBody'] = {'required': True, 'content': {
                'application/json': {'schema': {
                        '$ref': f'#/components/schemas/{resource.body}'}}}}
        responses['422'] = _problem("Idempotency-Key 已用于另一请求")
    return operation


def _token_operation():
    form = {
        'type': 'object',
        'required': ['grant_type'],
        'properties': {
            'grant_type': {'type': 'string', 'enum': ['client_credentials']},
            'scope': {'type': 'string'},
            },
        }
    error = {'content': {'application/json': {'schema': {
                    '$ref': '#/components/schemas/TokenError'}}}}
    return {
        'operationId': 'token',
        'summary': "取得访问令牌（OAuth 2 client credentials）",
        'requestBody': {'required': True, 'content': {
                'application/x-www-form-urlencoded': {'schema': form}}},
        'security': [{'clientSecret': []}],
        'responses': {
            '200': {'description': "OK", 'content': {'application/json': {
                        'schema': {'$ref': '#/components/schemas/Token'}}}},
            '400': dict(error, description="请求有误"),
            '401': dict(error, description="客户端认证失败"),
            },
        }


def document(database_name, scopes):
    "The OpenAPI document as a dict; scopes: {code: name}"
    spec = APISpec(title="来穗积分数据接口", version=VERSION,
        openapi_version='3.0.3',
        info={'description': DESCRIPTION},
        servers=[{'url': f'/{database_name}/api/v1'}])
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, schema)
    spec.components.security_scheme('oauth2', {
            'type': 'oauth2',
            'flows': {'clientCredentials': {
                    'tokenUrl': f'/{database_name}/api/v1/token',
                    'scopes': scopes,
                    }},
            })
    spec.components.security_scheme('clientSecret',
        {'type': 'http', 'scheme': 'basic'})
    spec.path(path='/token', operations={'post': _token_operation()})
    paths = {}
    for resource in RESOURCES:
        paths.setdefault(resource.path, {})[resource.method.lower()] = (
            _operation(resource))
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
