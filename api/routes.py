"""``/v1``: each endpoint makes one ``AccessRequest`` and calls the same
``governance.access`` function the dashboard calls, then serialises its answer.

Nothing here cuts, filters or hides anything: what a role may see was decided
by the facade, so the API cannot show what the dashboard would not.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Security
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from api import models
from api import serialise as out
from api.auth import authenticate
from api.identity import Caller
from api.problems import KINDS, MEDIA_TYPE
from api.state import ServerState
from core.errors import AccessDenied
from governance.access import (
    AccessRequest,
    audited_address_search,
    audited_family,
    audited_search_result,
    audited_service_detail,
    check_reason,
    sources_for,
)
from governance.health import detail, liveness
from governance.permissions import deny, require
from governance.roles import may
from lookup.address_search import parse_address_query
from lookup.query import parse_query
from lookup.search import MAX_RESULTS

_bearer = HTTPBearer(
    auto_error=False,
    description="The user's (or system's) "
    "access token from the council's identity provider.",
)


def _caller(
    request: Request,
    _: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> Caller:
    return authenticate(request)


Who = Annotated[Caller, Depends(_caller)]


def _problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    titles = {s: t for s, t in KINDS.values()}
    return {
        s: {
            "model": models.ProblemDetail,
            "description": titles.get(s, "Problem"),
            "content": {MEDIA_TYPE: {}},
        }
        for s in statuses
    }


READ = _problems(401, 403, 413, 422, 429, 503)
PERSON = _problems(404)
router = APIRouter(prefix="/v1", responses=READ)


def _json(body: BaseModel) -> Response:
    """The answer as the bytes pydantic makes of it. Returned as a response, so
    FastAPI does not check the model it was just made as once more (a second
    trip to a worker thread) before sending it; the declared ``response_model``
    still documents it."""
    return Response(body.model_dump_json(), media_type="application/json")


def _server(request: Request) -> ServerState:
    return request.app.state.server


def _access(request: Request, who: Caller, body: models.Reasoned) -> AccessRequest:
    """The one request the facade takes; the reason checked as the dashboard does."""
    server = _server(request)
    reason = check_reason(
        body.purpose,
        body.case_ref,
        body.explanation,
        server.config.app.purposes,
        server.policy,
    )
    return AccessRequest(
        server.index(),
        server.audit_engine,
        who.actor,
        reason,
        server.policy,
        server.today(),
    )


@router.post("/search", response_model=models.SearchResult)
def search(request: Request, who: Who, body: models.SearchBody) -> Response:
    """Search a person: same ranking, cap and possible-match band as the dashboard.

    Records ``search`` (the criteria) and ``results_shown`` (who was listed).
    """
    access = _access(request, who, body)
    query = parse_query(
        body.first_name,
        body.last_name,
        body.dob,
        body.identifier,
        access.today,
        body.postcode,
        body.age_min,
        body.age_max,
    )
    limit = _server(request).config.app.max_results
    found = audited_search_result(access, query, limit)
    return _json(out.search_result(found, min(limit, MAX_RESULTS)))


@router.post("/search/address", response_model=models.AddressResult)
def search_address(request: Request, who: Who, body: models.AddressBody) -> Response:
    """Who lives at an address: the households at a postcode (a house number or
    name narrows it to one) and who is in each, as the dashboard lists them.

    Records ``search`` (the criteria) and ``results_shown`` (who was listed).
    """
    access = _access(request, who, body)
    query = parse_address_query(body.postcode, body.house)
    return _json(out.address_result(audited_address_search(access, query)))


def _family(request: Request, who: Caller, body: models.PersonBody):  # noqa: ANN202
    access = _access(request, who, body)
    return access, audited_family(access, body.person_id, override=body.override)


@router.post("/person", responses=PERSON, response_model=models.Person)
def person(request: Request, who: Who, body: models.PersonBody) -> Response:
    """A person: who they are and how they were linked (records ``family_opened``,
    as opening a person in the dashboard does)."""
    return _json(out.person(_family(request, who, body)[1]))


@router.post("/person/services", responses=PERSON, response_model=models.Services)
def services(request: Request, who: Who, body: models.PersonBody) -> Response:
    """Their services: Current, Historic, None found (worded exactly), with the
    trust labels."""
    return _json(out.services(_family(request, who, body)[1]))


@router.post("/person/family", responses=PERSON, response_model=models.Family)
def family(request: Request, who: Who, body: models.PersonBody) -> Response:
    """Their family: every linked person, relationship, how linked, services."""
    access, view = _family(request, who, body)
    return _json(out.family(view, list(sources_for(access).values())))


@router.post("/person/who-to-call", responses=PERSON, response_model=models.WhoToCall)
def who_to_call(request: Request, who: Who, body: models.PersonBody) -> Response:
    """Every current involvement across the family, the person searched for first."""
    access, view = _family(request, who, body)
    return _json(out.who_to_call(view, list(sources_for(access).values())))


@router.post(
    "/person/service-detail", responses=PERSON, response_model=models.ServiceDetail
)
def service_detail(request: Request, who: Who, body: models.ServiceBody) -> Response:
    """One service's detail on one person, within its ``detail_limit`` (records
    ``service_opened``)."""
    access = _access(request, who, body)
    text = audited_service_detail(
        access, body.person_id, body.source, override=body.override
    )
    loads = access.index.source_loads
    service = dict(zip(loads["source"], loads["service"], strict=True))
    return _json(
        models.ServiceDetail(
            person_id=body.person_id,
            source=body.source,
            service=service.get(body.source, body.source),
            detail=text,
            detail_limit=access.policy.detail_limit(body.source),
        )
    )


@router.get(
    "/sources", response_model=models.Sources, responses=_problems(401, 403, 429, 503)
)
def sources(request: Request, who: Who) -> Response:
    """Each source, its status, "current as of" date and coverage; no personal
    data, so no reason is asked (as the dashboard's data page)."""
    server = _server(request)
    role = who.actor.role
    if not (may(role, "search") or may(role, "administer")):
        deny(
            server.audit_engine,
            who.actor,
            {"action": "sources"},
            AccessDenied("Only workers and administrators can see the sources."),
        )
    index = server.index()
    return _json(out.sources(index.build_id, index.source_loads))


health = APIRouter()


@health.get(
    "/health",
    response_model=models.Liveness,
    responses={503: {"model": models.Liveness}},
)
def alive(request: Request) -> JSONResponse:
    """Up or not (no sign-in, no detail): 503 when a check fails."""
    code, body = liveness(_server(request).health())
    return JSONResponse(body, code)


@health.get(
    "/health/detail",
    response_model=models.HealthDetail,
    responses={503: {"model": models.HealthDetail}, **_problems(401, 403, 429)},
)
def health_detail(request: Request, who: Who) -> JSONResponse:
    """Every finding of ``python -m governance doctor`` (administrators)."""
    server = _server(request)
    require(server.audit_engine, who.actor, "administer", "health_detail")
    code, body = detail(server.health())
    return JSONResponse(body, code)
