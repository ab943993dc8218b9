from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.problem_details import ProblemDetails
from ...types import Response


def request_kwargs(
    scs_as_id: str,
    subscription_id: str,
) -> dict[str, Any]:
    """The keyword arguments of ``httpx.Client.build_request`` for this operation.

    The URL is relative to the client's ``base_url``.
    """

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/{scs_as_id}/subscriptions/{subscription_id}".format(
            scs_as_id=quote(str(scs_as_id), safe=""),
            subscription_id=quote(str(subscription_id), safe=""),
        ),
    }

    return _kwargs


def parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | ProblemDetails:
    """The answer's body as the model its status is documented with.

    Raises ``errors.UnexpectedStatus`` for an undocumented status when the client has
    ``raise_on_unexpected_status``; returns None for it otherwise.
    """
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

    if response.status_code == 307:
        response_307 = cast(Any, None)
        return response_307

    if response.status_code == 308:
        response_308 = cast(Any, None)
        return response_308

    if response.status_code == 400:
        response_400 = ProblemDetails.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ProblemDetails.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ProblemDetails.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ProblemDetails.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = ProblemDetails.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ProblemDetails.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ProblemDetails.from_dict(response.json())

        return response_503

    response_default = cast(Any, None)
    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=parse_response(client=client, response=response),
    )


def sync_detailed(
    scs_as_id: str,
    subscription_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Any | ProblemDetails]:
    """End a BDT subscription

    Args:
        scs_as_id (str):
        subscription_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ProblemDetails]
    """

    kwargs = request_kwargs(
        scs_as_id=scs_as_id,
        subscription_id=subscription_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    scs_as_id: str,
    subscription_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Any | ProblemDetails | None:
    """End a BDT subscription

    Args:
        scs_as_id (str):
        subscription_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ProblemDetails
    """

    return sync_detailed(
        scs_as_id=scs_as_id,
        subscription_id=subscription_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    scs_as_id: str,
    subscription_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Any | ProblemDetails]:
    """End a BDT subscription

    Args:
        scs_as_id (str):
        subscription_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ProblemDetails]
    """

    kwargs = request_kwargs(
        scs_as_id=scs_as_id,
        subscription_id=subscription_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    scs_as_id: str,
    subscription_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Any | ProblemDetails | None:
    """End a BDT subscription

    Args:
        scs_as_id (str):
        subscription_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ProblemDetails
    """

    return (
        await asyncio_detailed(
            scs_as_id=scs_as_id,
            subscription_id=subscription_id,
            client=client,
        )
    ).parsed
