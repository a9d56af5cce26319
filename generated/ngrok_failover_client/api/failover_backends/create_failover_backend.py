from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_failover_backend_ngrok_version import CreateFailoverBackendNgrokVersion
from ...models.error import Error
from ...models.failover_backend import FailoverBackend
from ...models.failover_backend_create import FailoverBackendCreate
from ...types import Response


def _get_kwargs(
    *,
    body: FailoverBackendCreate,
    ngrok_version: CreateFailoverBackendNgrokVersion = CreateFailoverBackendNgrokVersion.V2,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Ngrok-Version"] = str(ngrok_version)

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/backends/failover",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | FailoverBackend | None:
    if response.status_code == 201:
        response_201 = FailoverBackend.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if 500 <= response.status_code <= 599:
        response_5xx = Error.from_dict(response.json())

        return response_5xx

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | FailoverBackend]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: FailoverBackendCreate,
    ngrok_version: CreateFailoverBackendNgrokVersion = CreateFailoverBackendNgrokVersion.V2,
) -> Response[Error | FailoverBackend]:
    """Create Failover Backend

     Create a new Failover backend

    Args:
        ngrok_version (CreateFailoverBackendNgrokVersion):  Default:
            CreateFailoverBackendNgrokVersion.V2.
        body (FailoverBackendCreate): The body of a create request.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | FailoverBackend]
    """

    kwargs = _get_kwargs(
        body=body,
        ngrok_version=ngrok_version,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: FailoverBackendCreate,
    ngrok_version: CreateFailoverBackendNgrokVersion = CreateFailoverBackendNgrokVersion.V2,
) -> Error | FailoverBackend | None:
    """Create Failover Backend

     Create a new Failover backend

    Args:
        ngrok_version (CreateFailoverBackendNgrokVersion):  Default:
            CreateFailoverBackendNgrokVersion.V2.
        body (FailoverBackendCreate): The body of a create request.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | FailoverBackend
    """

    return sync_detailed(
        client=client,
        body=body,
        ngrok_version=ngrok_version,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: FailoverBackendCreate,
    ngrok_version: CreateFailoverBackendNgrokVersion = CreateFailoverBackendNgrokVersion.V2,
) -> Response[Error | FailoverBackend]:
    """Create Failover Backend

     Create a new Failover backend

    Args:
        ngrok_version (CreateFailoverBackendNgrokVersion):  Default:
            CreateFailoverBackendNgrokVersion.V2.
        body (FailoverBackendCreate): The body of a create request.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | FailoverBackend]
    """

    kwargs = _get_kwargs(
        body=body,
        ngrok_version=ngrok_version,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: FailoverBackendCreate,
    ngrok_version: CreateFailoverBackendNgrokVersion = CreateFailoverBackendNgrokVersion.V2,
) -> Error | FailoverBackend | None:
    """Create Failover Backend

     Create a new Failover backend

    Args:
        ngrok_version (CreateFailoverBackendNgrokVersion):  Default:
            CreateFailoverBackendNgrokVersion.V2.
        body (FailoverBackendCreate): The body of a create request.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | FailoverBackend
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            ngrok_version=ngrok_version,
        )
    ).parsed
