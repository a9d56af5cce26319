from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.failover_backend_list import FailoverBackendList
from ...models.list_failover_backends_ngrok_version import ListFailoverBackendsNgrokVersion
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    before_id: str | Unset = UNSET,
    limit: str | Unset = "100",
    ngrok_version: ListFailoverBackendsNgrokVersion = ListFailoverBackendsNgrokVersion.V2,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Ngrok-Version"] = str(ngrok_version)

    params: dict[str, Any] = {}

    params["before_id"] = before_id

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/backends/failover",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | FailoverBackendList | None:
    if response.status_code == 200:
        response_200 = FailoverBackendList.from_dict(response.json())

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
) -> Response[Error | FailoverBackendList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    before_id: str | Unset = UNSET,
    limit: str | Unset = "100",
    ngrok_version: ListFailoverBackendsNgrokVersion = ListFailoverBackendsNgrokVersion.V2,
) -> Response[Error | FailoverBackendList]:
    """List Failover Backends

     List all Failover backends on this account, newest first. A page holds
    at most `limit` backends; `next_page_uri` links to the next page, or is
    null on the last one.

    Args:
        before_id (str | Unset):
        limit (str | Unset):  Default: '100'.
        ngrok_version (ListFailoverBackendsNgrokVersion):  Default:
            ListFailoverBackendsNgrokVersion.V2.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | FailoverBackendList]
    """

    kwargs = _get_kwargs(
        before_id=before_id,
        limit=limit,
        ngrok_version=ngrok_version,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    before_id: str | Unset = UNSET,
    limit: str | Unset = "100",
    ngrok_version: ListFailoverBackendsNgrokVersion = ListFailoverBackendsNgrokVersion.V2,
) -> Error | FailoverBackendList | None:
    """List Failover Backends

     List all Failover backends on this account, newest first. A page holds
    at most `limit` backends; `next_page_uri` links to the next page, or is
    null on the last one.

    Args:
        before_id (str | Unset):
        limit (str | Unset):  Default: '100'.
        ngrok_version (ListFailoverBackendsNgrokVersion):  Default:
            ListFailoverBackendsNgrokVersion.V2.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | FailoverBackendList
    """

    return sync_detailed(
        client=client,
        before_id=before_id,
        limit=limit,
        ngrok_version=ngrok_version,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    before_id: str | Unset = UNSET,
    limit: str | Unset = "100",
    ngrok_version: ListFailoverBackendsNgrokVersion = ListFailoverBackendsNgrokVersion.V2,
) -> Response[Error | FailoverBackendList]:
    """List Failover Backends

     List all Failover backends on this account, newest first. A page holds
    at most `limit` backends; `next_page_uri` links to the next page, or is
    null on the last one.

    Args:
        before_id (str | Unset):
        limit (str | Unset):  Default: '100'.
        ngrok_version (ListFailoverBackendsNgrokVersion):  Default:
            ListFailoverBackendsNgrokVersion.V2.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | FailoverBackendList]
    """

    kwargs = _get_kwargs(
        before_id=before_id,
        limit=limit,
        ngrok_version=ngrok_version,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    before_id: str | Unset = UNSET,
    limit: str | Unset = "100",
    ngrok_version: ListFailoverBackendsNgrokVersion = ListFailoverBackendsNgrokVersion.V2,
) -> Error | FailoverBackendList | None:
    """List Failover Backends

     List all Failover backends on this account, newest first. A page holds
    at most `limit` backends; `next_page_uri` links to the next page, or is
    null on the last one.

    Args:
        before_id (str | Unset):
        limit (str | Unset):  Default: '100'.
        ngrok_version (ListFailoverBackendsNgrokVersion):  Default:
            ListFailoverBackendsNgrokVersion.V2.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | FailoverBackendList
    """

    return (
        await asyncio_detailed(
            client=client,
            before_id=before_id,
            limit=limit,
            ngrok_version=ngrok_version,
        )
    ).parsed
