from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.failover_backend import FailoverBackend
from ...models.failover_backend_update import FailoverBackendUpdate
from ...models.update_failover_backend_ngrok_version import UpdateFailoverBackendNgrokVersion
from ...types import Response


def _get_kwargs(
    id: str,
    *,
    body: FailoverBackendUpdate,
    ngrok_version: UpdateFailoverBackendNgrokVersion = UpdateFailoverBackendNgrokVersion.V2,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Ngrok-Version"] = str(ngrok_version)

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/backends/failover/{id}".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | FailoverBackend | None:
    if response.status_code == 200:
        response_200 = FailoverBackend.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

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
    id: str,
    *,
    client: AuthenticatedClient,
    body: FailoverBackendUpdate,
    ngrok_version: UpdateFailoverBackendNgrokVersion = UpdateFailoverBackendNgrokVersion.V2,
) -> Response[Error | FailoverBackend]:
    """Update Failover Backend

     Update Failover backend by ID. A field absent from the body keeps its
    stored value; a field present replaces it (`"backends": []` removes
    every child backend). `id` and `created_at` never change: the body may
    carry the path's own `id`, as ngrok's JavaScript client sends it.

    Args:
        id (str): A failover backend id, `bkdfo_` and 27 base62 characters (a KSUID, so ids sort
            by creation time).
        ngrok_version (UpdateFailoverBackendNgrokVersion):  Default:
            UpdateFailoverBackendNgrokVersion.V2.
        body (FailoverBackendUpdate): The body of an update request; an absent field keeps its
            stored value.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | FailoverBackend]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        ngrok_version=ngrok_version,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient,
    body: FailoverBackendUpdate,
    ngrok_version: UpdateFailoverBackendNgrokVersion = UpdateFailoverBackendNgrokVersion.V2,
) -> Error | FailoverBackend | None:
    """Update Failover Backend

     Update Failover backend by ID. A field absent from the body keeps its
    stored value; a field present replaces it (`"backends": []` removes
    every child backend). `id` and `created_at` never change: the body may
    carry the path's own `id`, as ngrok's JavaScript client sends it.

    Args:
        id (str): A failover backend id, `bkdfo_` and 27 base62 characters (a KSUID, so ids sort
            by creation time).
        ngrok_version (UpdateFailoverBackendNgrokVersion):  Default:
            UpdateFailoverBackendNgrokVersion.V2.
        body (FailoverBackendUpdate): The body of an update request; an absent field keeps its
            stored value.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | FailoverBackend
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
        ngrok_version=ngrok_version,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient,
    body: FailoverBackendUpdate,
    ngrok_version: UpdateFailoverBackendNgrokVersion = UpdateFailoverBackendNgrokVersion.V2,
) -> Response[Error | FailoverBackend]:
    """Update Failover Backend

     Update Failover backend by ID. A field absent from the body keeps its
    stored value; a field present replaces it (`"backends": []` removes
    every child backend). `id` and `created_at` never change: the body may
    carry the path's own `id`, as ngrok's JavaScript client sends it.

    Args:
        id (str): A failover backend id, `bkdfo_` and 27 base62 characters (a KSUID, so ids sort
            by creation time).
        ngrok_version (UpdateFailoverBackendNgrokVersion):  Default:
            UpdateFailoverBackendNgrokVersion.V2.
        body (FailoverBackendUpdate): The body of an update request; an absent field keeps its
            stored value.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | FailoverBackend]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        ngrok_version=ngrok_version,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient,
    body: FailoverBackendUpdate,
    ngrok_version: UpdateFailoverBackendNgrokVersion = UpdateFailoverBackendNgrokVersion.V2,
) -> Error | FailoverBackend | None:
    """Update Failover Backend

     Update Failover backend by ID. A field absent from the body keeps its
    stored value; a field present replaces it (`"backends": []` removes
    every child backend). `id` and `created_at` never change: the body may
    carry the path's own `id`, as ngrok's JavaScript client sends it.

    Args:
        id (str): A failover backend id, `bkdfo_` and 27 base62 characters (a KSUID, so ids sort
            by creation time).
        ngrok_version (UpdateFailoverBackendNgrokVersion):  Default:
            UpdateFailoverBackendNgrokVersion.V2.
        body (FailoverBackendUpdate): The body of an update request; an absent field keeps its
            stored value.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | FailoverBackend
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
            ngrok_version=ngrok_version,
        )
    ).parsed
