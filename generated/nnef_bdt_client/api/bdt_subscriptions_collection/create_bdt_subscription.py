from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.bdt import Bdt
from ...models.problem_details import ProblemDetails
from ...types import Response


def request_kwargs(
    scs_as_id: str,
    *,
    body: Bdt,
) -> dict[str, Any]:
    """The keyword arguments of ``httpx.Client.build_request`` for this operation.

    The URL is relative to the client's ``base_url``.
    """
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/{scs_as_id}/subscriptions".format(
            scs_as_id=quote(str(scs_as_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Bdt | ProblemDetails:
    """The answer's body as the model its status is documented with.

    Raises ``errors.UnexpectedStatus`` for an undocumented status when the client has
    ``raise_on_unexpected_status``; returns None for it otherwise.
    """
    if response.status_code == 201:
        response_201 = Bdt.from_dict(response.json())

        return response_201

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

    if response.status_code == 409:
        response_409 = ProblemDetails.from_dict(response.json())

        return response_409

    if response.status_code == 411:
        response_411 = ProblemDetails.from_dict(response.json())

        return response_411

    if response.status_code == 413:
        response_413 = ProblemDetails.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ProblemDetails.from_dict(response.json())

        return response_415

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
) -> Response[Any | Bdt | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=parse_response(client=client, response=response),
    )


def sync_detailed(
    scs_as_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: Bdt,
) -> Response[Any | Bdt | ProblemDetails]:
    """Negotiate a new background data transfer

    Args:
        scs_as_id (str):
        body (Bdt): An Individual BDT Subscription: the transfer the AF plans, and what the
            network offered and the AF selected for it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Bdt | ProblemDetails]
    """

    kwargs = request_kwargs(
        scs_as_id=scs_as_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    scs_as_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: Bdt,
) -> Any | Bdt | ProblemDetails | None:
    """Negotiate a new background data transfer

    Args:
        scs_as_id (str):
        body (Bdt): An Individual BDT Subscription: the transfer the AF plans, and what the
            network offered and the AF selected for it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Bdt | ProblemDetails
    """

    return sync_detailed(
        scs_as_id=scs_as_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    scs_as_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: Bdt,
) -> Response[Any | Bdt | ProblemDetails]:
    """Negotiate a new background data transfer

    Args:
        scs_as_id (str):
        body (Bdt): An Individual BDT Subscription: the transfer the AF plans, and what the
            network offered and the AF selected for it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Bdt | ProblemDetails]
    """

    kwargs = request_kwargs(
        scs_as_id=scs_as_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    scs_as_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: Bdt,
) -> Any | Bdt | ProblemDetails | None:
    """Negotiate a new background data transfer

    Args:
        scs_as_id (str):
        body (Bdt): An Individual BDT Subscription: the transfer the AF plans, and what the
            network offered and the AF selected for it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Bdt | ProblemDetails
    """

    return (
        await asyncio_detailed(
            scs_as_id=scs_as_id,
            client=client,
            body=body,
        )
    ).parsed
