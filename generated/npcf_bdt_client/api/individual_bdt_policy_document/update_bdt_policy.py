from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.bdt_policy import BdtPolicy
from ...models.patch_bdt_policy import PatchBdtPolicy
from ...models.problem_details import ProblemDetails
from ...models.redirect_response import RedirectResponse
from ...types import Response


def request_kwargs(
    bdt_policy_id: str,
    *,
    body: PatchBdtPolicy,
) -> dict[str, Any]:
    """The keyword arguments of ``httpx.Client.build_request`` for this operation.

    The URL is relative to the client's ``base_url``.
    """
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/bdtpolicies/{bdt_policy_id}".format(
            bdt_policy_id=quote(str(bdt_policy_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/merge-patch+json"

    _kwargs["headers"] = headers
    return _kwargs


def parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | BdtPolicy | ProblemDetails | RedirectResponse:
    """The answer's body as the model its status is documented with.

    Raises ``errors.UnexpectedStatus`` for an undocumented status when the client has
    ``raise_on_unexpected_status``; returns None for it otherwise.
    """
    if response.status_code == 200:
        response_200 = BdtPolicy.from_dict(response.json())

        return response_200

    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

    if response.status_code == 307:
        response_307 = RedirectResponse.from_dict(response.json())

        return response_307

    if response.status_code == 308:
        response_308 = RedirectResponse.from_dict(response.json())

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

    if response.status_code == 502:
        response_502 = ProblemDetails.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = ProblemDetails.from_dict(response.json())

        return response_503

    response_default = cast(Any, None)
    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | BdtPolicy | ProblemDetails | RedirectResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=parse_response(client=client, response=response),
    )


def sync_detailed(
    bdt_policy_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: PatchBdtPolicy,
) -> Response[Any | BdtPolicy | ProblemDetails | RedirectResponse]:
    """Update an Individual BDT policy

    Args:
        bdt_policy_id (str):
        body (PatchBdtPolicy): Merge-patch body of the Update operation.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | BdtPolicy | ProblemDetails | RedirectResponse]
    """

    kwargs = request_kwargs(
        bdt_policy_id=bdt_policy_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    bdt_policy_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: PatchBdtPolicy,
) -> Any | BdtPolicy | ProblemDetails | RedirectResponse | None:
    """Update an Individual BDT policy

    Args:
        bdt_policy_id (str):
        body (PatchBdtPolicy): Merge-patch body of the Update operation.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | BdtPolicy | ProblemDetails | RedirectResponse
    """

    return sync_detailed(
        bdt_policy_id=bdt_policy_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    bdt_policy_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: PatchBdtPolicy,
) -> Response[Any | BdtPolicy | ProblemDetails | RedirectResponse]:
    """Update an Individual BDT policy

    Args:
        bdt_policy_id (str):
        body (PatchBdtPolicy): Merge-patch body of the Update operation.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | BdtPolicy | ProblemDetails | RedirectResponse]
    """

    kwargs = request_kwargs(
        bdt_policy_id=bdt_policy_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    bdt_policy_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: PatchBdtPolicy,
) -> Any | BdtPolicy | ProblemDetails | RedirectResponse | None:
    """Update an Individual BDT policy

    Args:
        bdt_policy_id (str):
        body (PatchBdtPolicy): Merge-patch body of the Update operation.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | BdtPolicy | ProblemDetails | RedirectResponse
    """

    return (
        await asyncio_detailed(
            bdt_policy_id=bdt_policy_id,
            client=client,
            body=body,
        )
    ).parsed
