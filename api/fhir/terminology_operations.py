"""The terminology operations: $expand, $validate-code, $lookup, $subsumes, $translate.

Each accepts GET with query parameters or POST with a FHIR Parameters body, at type level
(`ValueSet/$expand?url=…`) and at instance level (`ValueSet/{id}/$expand`). Code systems and
value sets sent as `tx-resource` parameters are used for that call only, before stored ones.
"""

from __future__ import annotations

import orjson
from flask import Response, current_app, request

from api.fhir import blueprint, fhir_response
from terminology.context import Context
from terminology.operations import expand, lookup, translate, validate
from terminology.outcomes import invalid, not_found
from terminology.parameters import OperationInput
from terminology.store import StoredResources
from terminology.versions import split_canonical

BOTH = ["GET", "POST"]


def _stored() -> StoredResources:
    return current_app.extensions["terminology"]


def _inputs() -> OperationInput:
    body = None
    if request.method == "POST" and request.data:
        try:
            body = orjson.loads(request.data)
        except orjson.JSONDecodeError as exc:
            raise invalid(f"the request body is not JSON: {exc}") from None
        if not isinstance(body, dict):
            raise invalid("the request body must be a FHIR Parameters resource")
    return OperationInput.from_request(body, list(request.args.items(multi=True)))


def _run(operation) -> Response:  # noqa: ANN001
    """Call `operation(inputs, context)` over the stored resources and the request's
    inline resources, and answer its result."""
    inputs = _inputs()
    stored = _stored()
    stored.refresh()
    result = operation(inputs, Context(stored, inputs.resources("tx-resource")))
    return fhir_response(orjson.dumps(result))


def _language(inputs: OperationInput) -> str | None:
    return inputs.text("displayLanguage") or request.headers.get("Accept-Language")


def _stored_by_id(resource_type: str, resource_id: str) -> tuple[str, str]:
    found = _stored().by_id(resource_type, resource_id)
    if found is None:
        raise not_found(f"{resource_type}/{resource_id} is not known")
    return found


def _value_set(inputs: OperationInput, context: Context, resource_id: str | None) -> dict:
    inline = inputs.get("valueSet")
    if isinstance(inline, dict):
        return inline
    if resource_id is not None:
        url, version = _stored_by_id("ValueSet", resource_id)
    else:
        reference = inputs.text("url") or inputs.text("context")
        if not reference:
            raise invalid("give the value set: url, valueSet, or ValueSet/{id}/$…")
        url, pinned = split_canonical(reference)
        version = inputs.text("valueSetVersion") or pinned
    found = context.value_set(url, version)
    if found is None:
        shown = f"{url}|{version}" if version else url
        raise not_found(
            f"A definition for the value set '{shown}' could not be found",
            message_id="Unable_to_resolve_value_Set_",
        )
    return found


def _code_system(
    inputs: OperationInput, context: Context, resource_id: str | None, system: str | None
):  # noqa: ANN202
    if resource_id is not None:
        url, version = _stored_by_id("CodeSystem", resource_id)
        return context.code_system(url, version), url
    if not system:
        raise invalid("give the code system: system (or url), or CodeSystem/{id}/$…")
    url, pinned = split_canonical(system)
    return context.code_system(url, inputs.text("version") or pinned), url


@blueprint.route("/ValueSet/$expand", methods=BOTH)
@blueprint.route("/ValueSet/<resource_id>/$expand", methods=BOTH)
def expand_value_set(resource_id: str | None = None) -> Response:
    def operation(inputs: OperationInput, context: Context) -> dict:
        value_set = _value_set(inputs, context, resource_id)
        return expand.expand(value_set, inputs, context, _language(inputs))

    return _run(operation)


@blueprint.route("/ValueSet/$validate-code", methods=BOTH)
@blueprint.route("/ValueSet/<resource_id>/$validate-code", methods=BOTH)
def validate_in_value_set(resource_id: str | None = None) -> Response:
    def operation(inputs: OperationInput, context: Context) -> dict:
        value_set = _value_set(inputs, context, resource_id)
        language = _language(inputs)
        tried = []
        for coded in validate.read_codings(inputs):
            outcome = validate.validate_in_value_set(value_set, coded, context, inputs, language)
            if outcome.result:
                return validate.response(coded, outcome)
            tried.append((coded, outcome))
        # No coding is in the value set: report the first, with every coding's issues.
        coded, outcome = tried[0]
        for _, other in tried[1:]:
            outcome.issues.extend(i for i in other.issues if i not in outcome.issues)
        return validate.response(coded, outcome)

    return _run(operation)


@blueprint.route("/CodeSystem/$validate-code", methods=BOTH)
@blueprint.route("/CodeSystem/<resource_id>/$validate-code", methods=BOTH)
def validate_in_code_system(resource_id: str | None = None) -> Response:
    def operation(inputs: OperationInput, context: Context) -> dict:
        coded = validate.read_codings(inputs, system_param="url")[0]
        if coded.system is None:
            coded.system = inputs.text("url") or inputs.text("system")
        cs, _ = _code_system(inputs, context, resource_id, coded.system)
        outcome = validate.validate_in_code_system(cs, coded, inputs, _language(inputs))
        return validate.response(coded, outcome)

    return _run(operation)


@blueprint.route("/CodeSystem/$lookup", methods=BOTH)
@blueprint.route("/CodeSystem/<resource_id>/$lookup", methods=BOTH)
def lookup_code(resource_id: str | None = None) -> Response:
    def operation(inputs: OperationInput, context: Context) -> dict:
        coding = inputs.get("coding")
        system, code = inputs.text("system"), inputs.text("code")
        if isinstance(coding, dict):
            system, code = coding.get("system"), coding.get("code")
        if not code:
            raise invalid("give code (with system) or coding")
        cs, url = _code_system(inputs, context, resource_id, system)
        if cs is None:
            raise not_found(
                f"A definition for CodeSystem '{url}' could not be found",
                message_id="UNKNOWN_CODESYSTEM",
            )
        return lookup.lookup(cs, code, inputs)

    return _run(operation)


@blueprint.route("/CodeSystem/$subsumes", methods=BOTH)
@blueprint.route("/CodeSystem/<resource_id>/$subsumes", methods=BOTH)
def subsumes(resource_id: str | None = None) -> Response:
    def operation(inputs: OperationInput, context: Context) -> dict:
        system, code_a, code_b = lookup.coded_pair(inputs)
        cs, url = _code_system(inputs, context, resource_id, system)
        if cs is None:
            raise not_found(f"A definition for CodeSystem '{url}' could not be found")
        return lookup.subsumes(cs, code_a, code_b)

    return _run(operation)


@blueprint.route("/ConceptMap/$translate", methods=BOTH)
@blueprint.route("/ConceptMap/<resource_id>/$translate", methods=BOTH)
def translate_code(resource_id: str | None = None) -> Response:
    def operation(inputs: OperationInput, context: Context) -> dict:
        maps = context.concept_maps()
        if resource_id is not None:
            url = _stored_by_id("ConceptMap", resource_id)[0]
            maps = [m for m in maps if m.get("url") == url]
        return translate.translate(inputs, maps)

    return _run(operation)
