"""CodeSystem/$validate-code and ValueSet/$validate-code."""

from __future__ import annotations

from dataclasses import dataclass, field

from terminology.codesystem import CodeSystemIndex, Concept
from terminology.context import Context
from terminology.displays import preferred_languages
from terminology.outcomes import Issue, invalid, message, operation_outcome
from terminology.parameters import OperationInput
from terminology.valuesets import Composer, canonical_of, status_issues


@dataclass
class Coded:
    """The code to validate and where it sits in the request (for issue expressions)."""

    system: str | None
    code: str
    version: str | None
    display: str | None
    path: str  # "Coding", "CodeableConcept.coding[0]", or "" for bare code/system params

    def at(self, element: str) -> str:
        return f"{self.path}.{element}" if self.path else element

    @property
    def whole(self) -> str:
        return self.path or "code"


@dataclass
class Outcome:
    result: bool = True
    issues: list[Issue] = field(default_factory=list)
    params: dict = field(default_factory=dict)


def read_codings(inputs: OperationInput, system_param: str = "system") -> list[Coded]:
    coding = inputs.get("coding")
    if isinstance(coding, dict):
        return [_coded(coding, "Coding")]
    concept = inputs.get("codeableConcept")
    if isinstance(concept, dict):
        codings = concept.get("coding", [])
        if not codings:
            raise invalid("codeableConcept has no coding")
        return [_coded(c, f"CodeableConcept.coding[{i}]") for i, c in enumerate(codings)]
    code = inputs.text("code")
    if code is None:
        raise invalid("give a code (with system), a coding or a codeableConcept")
    return [
        Coded(
            inputs.text(system_param),
            code,
            inputs.text("systemVersion") or inputs.text("version"),
            inputs.text("display"),
            "",
        )
    ]


def _coded(coding: dict, path: str) -> Coded:
    if not coding.get("code"):
        raise invalid(f"{path} has no code")
    return Coded(
        coding.get("system"), coding["code"], coding.get("version"), coding.get("display"), path
    )


def validate_in_code_system(
    cs: CodeSystemIndex | None, coded: Coded, inputs: OperationInput, language: str | None
) -> Outcome:
    outcome = Outcome()
    if cs is None:
        text = (
            f"A definition for CodeSystem '{coded.system}' could not be found, so the code "
            "cannot be validated"
        )
        outcome.result = False
        outcome.issues.append(
            Issue("error", "not-found", "not-found", text, "UNKNOWN_CODESYSTEM", coded.at("system"))
        )
        outcome.params["x-caused-by-unknown-system"] = ("valueCanonical", coded.system)
        return outcome
    concept, by_case = cs.find(coded.code)
    outcome.params["system"] = ("valueUri", cs.url)
    if cs.version:
        outcome.params["version"] = ("valueString", cs.version)
    if concept is None:
        outcome.result = False
        version = f" version '{cs.version}'" if cs.version else ""
        outcome.issues.append(
            Issue(
                "error",
                "code-invalid",
                "invalid-code",
                f"Unknown code '{coded.code}' in the CodeSystem '{cs.url}'{version}",
                "Unknown_Code_in_Version",
                coded.at("code"),
            )
        )
        return outcome
    _describe_found(outcome, cs, concept, coded, by_case, language)
    return outcome


def _describe_found(
    outcome: Outcome,
    cs: CodeSystemIndex,
    concept: Concept,
    coded: Coded,
    by_case: bool,
    language: str | None,
) -> None:
    if concept.display:
        outcome.params["display"] = ("valueString", concept.display)
    if by_case:
        outcome.params["normalized-code"] = ("valueCode", concept.code)
        outcome.issues.append(
            Issue(
                "information",
                "business-rule",
                "code-rule",
                f"The code '{coded.code}' differs from the correct code '{concept.code}' by case. "
                f"Although the code system '{cs.canonical}' is case insensitive, implementers "
                "are strongly encouraged to use the correct case anyway",
                "CODE_CASE_DIFFERENCE",
                coded.at("code"),
            )
        )
    if concept.inactive:
        outcome.params["inactive"] = ("valueBoolean", True)
        if concept.state.status:
            outcome.params["status"] = ("valueCode", concept.state.status)
        status = concept.status_code
        shown = status if status == "inactive" else f"{status} and inactive"
        outcome.issues.append(
            Issue(
                "warning",
                "business-rule",
                "code-comment",
                f"The concept '{concept.code}' has a status of {shown} and its use should be "
                "reviewed",
                "INACTIVE_CONCEPT_FOUND",
                coded.whole,
            )
        )
    if coded.display and not _display_ok(concept, coded.display):
        outcome.result = False
        valid = concept.display or ""
        langs = ", ".join(preferred_languages(language)) or "--"
        outcome.issues.append(
            Issue(
                "error",
                "invalid",
                "invalid-display",
                f"Wrong Display Name '{coded.display}' for {cs.url}#{concept.code}. Valid display "
                f"is '{valid}' (for the language(s) '{langs}')",
                "Display_Name_for__should_be_one_of__instead_of",
                coded.at("display"),
            )
        )


def _display_ok(concept: Concept, display: str) -> bool:
    wanted = display.strip().lower()
    labels = [concept.display or ""] + [d.get("value") or "" for d in concept.designations]
    return any(label.strip().lower() == wanted for label in labels)


def validate_in_value_set(
    value_set: dict, coded: Coded, context: Context, inputs: OperationInput, language: str | None
) -> Outcome:
    composer = Composer(context, active_only=inputs.flag("activeOnly"))
    system = coded.system
    cs = context.code_system(system, coded.version) if system else None
    outcome = validate_in_code_system(cs, coded, inputs, language) if system else Outcome()
    vs_name = canonical_of(value_set)
    concept = cs.find(coded.code)[0] if cs else None
    membership = composer.compose(
        value_set, only=concept.code if concept else coded.code, only_system=system
    )
    outcome.issues.extend(status_issues(membership))
    entry = membership.entries.get((cs.url, concept.code)) if cs and concept else None
    if entry is not None:
        if entry.deprecated_in_value_set:
            outcome.issues.append(
                Issue(
                    "warning",
                    "business-rule",
                    "code-comment",
                    f"The presence of the concept '{concept.code}' in the system '{cs.url}' in "
                    f"the value set {vs_name} is marked with a status of deprecated and its use "
                    "should be reviewed",
                    "CONCEPT_DEPRECATED_IN_VALUESET",
                    coded.at("code"),
                    in_message=False,
                )
            )
        return outcome
    outcome.result = False
    if (
        cs is not None
        and concept is not None
        and (cs.url, concept.code) in membership.excluded_inactive
    ):
        outcome.issues.append(
            Issue(
                "error",
                "business-rule",
                "code-rule",
                f"The concept '{concept.code}' is valid but is not active",
                "STATUS_CODE_WARNING_CODE",
                coded.at("code"),
            )
        )
    shown = f"{system}#{coded.code}" if system else f"#{coded.code}"
    outcome.issues.append(
        Issue(
            "error",
            "code-invalid",
            "not-in-vs",
            f"The provided code '{shown}' was not found in the value set '{vs_name}'",
            "None_of_the_provided_codes_are_in_the_value_set_one",
            coded.at("code"),
        )
    )
    return outcome


def response(coded: Coded, outcome: Outcome) -> dict:
    params: dict = {"code": ("valueCode", coded.code), **outcome.params}
    params["result"] = ("valueBoolean", outcome.result)
    if outcome.issues:
        params["issues"] = ("resource", operation_outcome(outcome.issues))
    text = message(outcome.issues)
    if text:
        params["message"] = ("valueString", text)
    return {
        "resourceType": "Parameters",
        "parameter": [{"name": name, kind: value} for name, (kind, value) in params.items()],
    }
