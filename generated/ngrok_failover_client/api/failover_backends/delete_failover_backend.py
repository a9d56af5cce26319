from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.delete_failover_backend_ngrok_version import DeleteFailoverBackendNgrokVersion
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    id: str,
    *,
    ngrok_version: DeleteFailoverBackendNgrokVersion = DeleteFailoverBackendNgrokVersion.V2,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Ngrok-Version"] = str(ngrok_version)

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/backends/failover/{id}".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Error | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | Error]:
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
    ngrok_version: DeleteFailoverBackendNgrokVersion = DeleteFailoverBackendNgrokVersion.V2,
) -> Response[Any | Error]:
    """Delete Failover Backend

     Delete a Failover backend by ID. A backend that another backend lists
    as a child cannot be deleted (400, `ERR_NGROK_6502`).

    Args:
        id (str): A failover backend id, `bkdfo_` and 27 base62 characters (a KSUID, so ids sort
            by creation time).
        ngrok_version (DeleteFailoverBackendNgrokVersion):  Default:
            DeleteFailoverBackendNgrokVersion.V2.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        id=id,
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
    ngrok_version: DeleteFailoverBackendNgrokVersion = DeleteFailoverBackendNgrokVersion.V2,
) -> Any | Error | None:
    """Delete Failover Backend

     Delete a Failover backend by ID. A backend that another backend lists
    as a child cannot be deleted (400, `ERR_NGROK_6502`).

    Args:
        id (str): A failover backend id, `bkdfo_` and 27 base62 characters (a KSUID, so ids sort
            by creation time).
        ngrok_version (DeleteFailoverBackendNgrokVersion):  Default:
            DeleteFailoverBackendNgrokVersion.V2.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return sync_detailed(
        id=id,
        client=client,
        ngrok_version=ngrok_version,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient,
    ngrok_version: DeleteFailoverBackendNgrokVersion = DeleteFailoverBackendNgrokVersion.V2,
) -> Response[Any | Error]:
    """Delete Failover Backend

     Delete a Failover backend by ID. A backend that another backend lists
    as a child cannot be deleted (400, `ERR_NGROK_6502`).

    Args:
        id (str): A failover backend id, `bkdfo_` and 27 base62 characters (a KSUID, so ids sort
            by creation time).
        ngrok_version (DeleteFailoverBackendNgrokVersion):  Default:
            DeleteFailoverBackendNgrokVersion.V2.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        id=id,
        ngrok_version=ngrok_version,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient,
    ngrok_version: DeleteFailoverBackendNgrokVersion = DeleteFailoverBackendNgrokVersion.V2,
) -> Any | Error | None:
    """Delete Failover Backend

     Delete a Failover backend by ID. A backend that another backend lists
    as a child cannot be deleted (400, `ERR_NGROK_6502`).

    Args:
        id (str): A failover backend id, `bkdfo_` and 27 base62 characters (a KSUID, so ids sort
            by creation time).
        ngrok_version (DeleteFailoverBackendNgrokVersion):  Default:
            DeleteFailoverBackendNgrokVersion.V2.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            ngrok_version=ngrok_version,
        )
    ).parsed
