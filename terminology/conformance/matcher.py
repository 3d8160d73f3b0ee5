"""Compare an answer with the expected-response template of a tx-ecosystem test.

The template language is documented in fhir-tx-ecosystem-ig input/pagecontent/testcases.md and
implemented by the Java runner in CompareUtilities. A string of the template may be:
- `$$` (anything), `$id$ $uuid$ $url$ $token$ $string$ $date$ $instant$ $semver$` (a value of
  that kind), `$version$` (the server's FHIR version, also substituted inside longer strings);
- `$choice:a|b$` (one of), `$fragments:a|b$` (contains all, ignoring case);
- `$external:N$` / `$external:N:a|b$`: message N of the externals file for this response file,
  or, without one, the fragments a and b (or anything when there are none).
An object of the template may carry:
- `$optional-properties$`: properties the server may omit (`*`: all of them);
- `$count-arrays$`: properties whose arrays are compared by length only;
- `$optional$`: the object may be absent: `true`, or a filter `mode` / `!mode` / `version:4` /
  `warning:text` (always optional, but its absence is reported as a warning);
- `$only$`: a filter with the same grammar; when it does not pass the object must be absent.

Arrays are matched regardless of order (the Java runner sorts both sides instead): each
expected item needs a distinct actual item that matches it, items whose `$optional$` passes may
be missing, and actual items nothing matches are differences, except in pattern mode, which the
runner uses for the metadata tests, where only the expected content has to be found. Two
choices differ from CompareUtilities where it is looser than the documented language: an array
property is only allowed to be missing when all its items may be missing (Java lets any array of
primitives go missing), and `$optional$` items are also optional in pattern mode.

Before comparing, `scrub` removes from an answer what the runner does not control
(TxTesterScrubbers): `meta` and `text`, extensions the runner does not manage, `diagnostics`
parameters and issue diagnostics; and, like TxTesterSorters, it sorts the parts of a `message`
made of several "; "-separated messages.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any

from terminology.conformance.cases import DEFAULT_MODES, R4_VERSION

MARKERS = frozenset({"$optional$", "$only$", "$optional-properties$", "$count-arrays$"})

_DATE = (
    r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])"
)
_TIME = (
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?"
    r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)
# The regular expressions of org.hl7.fhir.utilities.regex.RegexConstants, and semver.org's.
PLACEHOLDERS = {
    "id": re.compile(r"[A-Za-z0-9\-.]{1,64}"),
    "uuid": re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
    "url": re.compile(r"https?://(%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@&=+$,A-Za-z0-9])+"),
    "token": re.compile(r"[0-9a-zA-Z_][0-9a-zA-Z_.\-]*"),
    "date": re.compile(_DATE + f"({_TIME})?"),
    "instant": re.compile(_DATE + _TIME),
    "semver": re.compile(
        r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
        r"(-((0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
        r"(\+([0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*))?"
    ),
}

# Extensions TxTesterScrubbers keeps (besides relative URLs): the tests check these.
MANAGED_EXTENSIONS = frozenset(
    {
        "http://hl7.org/fhir/StructureDefinition/codesystem-alternate",
        "http://hl7.org/fhir/StructureDefinition/codesystem-conceptOrder",
        "http://hl7.org/fhir/StructureDefinition/codesystem-label",
        "http://hl7.org/fhir/StructureDefinition/coding-sctdescid",
        "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status",
        "http://hl7.org/fhir/StructureDefinition/itemWeight",
        "http://hl7.org/fhir/StructureDefinition/rendering-style",
        "http://hl7.org/fhir/StructureDefinition/rendering-xhtml",
        "http://hl7.org/fhir/StructureDefinition/translation",
        "http://hl7.org/fhir/StructureDefinition/valueset-concept-definition",
        "http://hl7.org/fhir/StructureDefinition/valueset-conceptOrder",
        "http://hl7.org/fhir/StructureDefinition/valueset-deprecated",
        "http://hl7.org/fhir/StructureDefinition/valueset-label",
        "http://hl7.org/fhir/StructureDefinition/valueset-supplement",
        "http://hl7.org/fhir/test/CodeSystem/de-multi",
        "http://hl7.org/fhir/test/CodeSystem/en-multi",
        "http://hl7.org/fhir/test/StructureDefinition/unknown-extension-1",
        "http://hl7.org/fhir/test/StructureDefinition/unknown-extension-3",
        "http://hl7.org/fhir/test/StructureDefinition/unknown-extension-4",
        "http://hl7.org/fhir/test/StructureDefinition/unknown-extension-5",
        "http://hl7.org/fhir/test/ValueSet/extensions-bad-supplement",
        "http://hl7.org/fhir/test/ValueSet/simple-all",
        "http://hl7.org/fhir/test/ValueSet/simple-enumerated",
        "http://hl7.org/fhir/StructureDefinition/alternate-code-use",
        "http://hl7.org/fhir/StructureDefinition/alternate-code-status",
        "http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id",
        "http://hl7.org/fhir/test/ValueSet/simple-filter-isa",
        "http://hl7.org/fhir/StructureDefinition/valueset-unclosed",
        "http://hl7.org/fhir/StructureDefinition/valueset-unclosed-reason",
    }
)
_ABSOLUTE_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.\-]*:")
_SHORT = 100  # characters of a value quoted in a difference
_LONG = 500  # … of a string quoted in a difference


@dataclass(frozen=True)
class Comparison:
    differences: list[str]
    warnings: list[str]

    @property
    def matches(self) -> bool:
        return not self.differences


def compare(
    expected: Any,
    actual: Any,
    *,
    modes: Collection[str] = DEFAULT_MODES,
    fhir_version: str = R4_VERSION,
    externals: Mapping[str, str] | None = None,
    pattern: bool = False,
) -> Comparison:
    """Compare an answer (already converted to R5 and scrubbed) with its template."""
    findings = _Comparer(modes, fhir_version, externals or {}, pattern).value(expected, actual, "$")
    return Comparison(
        differences=[str(f) for f in findings if not f.warning],
        warnings=[str(f) for f in findings if f.warning],
    )


def match(expected: Any, actual: Any, **options: Any) -> list[str]:
    """The differences between an answer and its template, with their JSON paths: [] = pass."""
    return compare(expected, actual, **options).differences


def filter_passes(token: str, modes: Collection[str], fhir_version: str) -> bool:
    """The filter of `$optional$` / `$only$`: mode, !mode, version:N or warning:text."""
    if token.startswith("!"):
        return token[1:] not in modes
    if token.startswith("warning:"):
        return True
    if token.startswith("version:"):
        return fhir_version.startswith(token.removeprefix("version:"))
    return token in modes


@dataclass(frozen=True)
class _Finding:
    path: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class _Comparer:
    def __init__(
        self,
        modes: Collection[str],
        fhir_version: str,
        externals: Mapping[str, str],
        pattern: bool,
    ) -> None:
        self.modes = modes
        self.fhir_version = fhir_version
        self.externals = externals
        self.pattern = pattern

    def value(
        self, expected: Any, actual: Any, path: str, count_only: bool = False
    ) -> list[_Finding]:
        if isinstance(expected, dict):
            if not isinstance(actual, dict):
                return [_Finding(path, f"expected an object, got {_kind(actual)}")]
            return self.object(expected, actual, path)
        if isinstance(expected, list):
            if not isinstance(actual, list):
                return [_Finding(path, f"expected an array, got {_kind(actual)}")]
            if count_only and len(expected) != len(actual):
                return [_Finding(path, f"expected {len(expected)} items, got {len(actual)}")]
            return [] if count_only else self.array(expected, actual, path)
        if isinstance(expected, str):
            if isinstance(actual, str) and self.string_matches(expected, actual):
                return []
            got = _short(actual, _LONG)  # messages differ anywhere: show them whole
            return [_Finding(path, f"expected {self.describe(expected)}, got {got}")]
        if _same_primitive(expected, actual):
            return []
        return [_Finding(path, f"expected {_short(expected)}, got {_short(actual)}")]

    def object(self, expected: dict, actual: dict, path: str) -> list[_Finding]:
        optional = set(expected.get("$optional-properties$", []))
        count_only = set(expected.get("$count-arrays$", []))
        findings: list[_Finding] = []
        for key, value in actual.items():
            if key in expected and key not in MARKERS:
                findings += self.present(expected[key], value, f"{path}.{key}", key in count_only)
            elif not self.pattern and key not in optional:
                findings.append(_Finding(f"{path}.{key}", f"unexpected property {_short(value)}"))
        for key, value in expected.items():
            if key in MARKERS or key in actual or key in optional or "*" in optional:
                continue
            findings += self.absent(value, f"{path}.{key}")
        return findings

    def present(self, expected: Any, actual: Any, path: str, count_only: bool) -> list[_Finding]:
        """An expected property the answer has."""
        if self.excluded(expected):
            return [_Finding(path, f"present, but the template limits it to {expected['$only$']}")]
        return self.value(expected, actual, path, count_only)

    def absent(self, expected: Any, path: str) -> list[_Finding]:
        """An expected property the answer lacks: fine when everything in it may be missing."""
        items = expected if isinstance(expected, list) else [expected]
        if all(self.excluded(item) or self.optional(item) for item in items):
            return [self.missing_warning(item, path) for item in items if _warns(item)]
        return [_Finding(path, f"missing property, expected {_short(expected)}")]

    def array(self, expected: list, actual: list, path: str) -> list[_Finding]:
        forbidden = [item for item in expected if self.excluded(item)]
        wanted = [i for i, item in enumerate(expected) if not self.excluded(item)]
        # required items first, so that optional ones never take an item a required one needs
        wanted.sort(key=lambda i: self.optional(expected[i]))
        results: dict[tuple[int, int], list[_Finding]] = {}

        def result(i: int, j: int) -> list[_Finding]:
            if (i, j) not in results:
                results[i, j] = self.value(expected[i], actual[j], f"{path}[{j}]")
            return results[i, j]

        owner = _assign(wanted, len(actual), lambda i, j: not _differences(result(i, j)))
        assigned = {i: j for j, i in owner.items()}
        findings: list[_Finding] = []
        cited: set[int] = set()  # actual items already shown as the closest to a missing one
        for i in wanted:
            if i in assigned:
                findings += result(i, assigned[i])  # warnings only
            elif self.optional(expected[i]):
                if _warns(expected[i]):
                    findings.append(self.missing_warning(expected[i], path))
            elif not actual:
                header = f"expected item [{i}] not found: {_short(expected[i])}"
                findings.append(_Finding(path, header + " (the array is empty)"))
            else:
                # the closest: an item no other expected item took, then the fewest differences
                j = min(
                    range(len(actual)), key=lambda j: (j in owner, len(_differences(result(i, j))))
                )
                cited.add(j)
                findings += self.not_found(expected[i], i, j, path, _differences(result(i, j)))
        for j, item in enumerate(actual):
            if j in owner:
                continue
            excluding = [f for f in forbidden if not _differences(self.value(f, item, path))]
            if excluding:
                limit = excluding[0]["$only$"]
                findings.append(
                    _Finding(f"{path}[{j}]", f"present, but the template limits it to {limit}")
                )
            elif not self.pattern and j not in cited:
                findings.append(_Finding(f"{path}[{j}]", f"unexpected item {_short(item)}"))
        return findings

    def not_found(
        self, expected: Any, i: int, j: int, path: str, differences: list[_Finding]
    ) -> list[_Finding]:
        """A required item nothing matches, with how the closest actual item, [j], differs."""
        header = f"expected item [{i}] not found: {_short(expected)}"
        if not differences:
            return [_Finding(path, f"{header}; it matches [{j}], taken by another expected item")]
        return [_Finding(path, f"{header}; the closest, [{j}], differs:"), *differences[:5]]

    def optional(self, item: Any) -> bool:
        if not isinstance(item, dict):
            return False
        flag = item.get("$optional$")
        if isinstance(flag, str):
            return filter_passes(flag, self.modes, self.fhir_version)
        return flag is True

    def excluded(self, item: Any) -> bool:
        """An item whose `$only$` filter does not pass: it must be absent."""
        return (
            isinstance(item, dict)
            and "$only$" in item
            and not filter_passes(item["$only$"], self.modes, self.fhir_version)
        )

    def missing_warning(self, item: dict, path: str) -> _Finding:
        reason = item["$optional$"].removeprefix("warning:")
        return _Finding(path, f"{reason}: an optional item is missing {_short(item)}", True)

    def string_matches(self, expected: str, actual: str) -> bool:
        if len(expected) > 1 and expected.startswith("$") and expected.endswith("$"):
            return self.placeholder_matches(expected[1:-1], actual)
        if "<div" in expected and "<div" in actual:
            return True  # narrative xhtml is not compared (CompareUtilities)
        return actual == expected.replace("$version$", self.fhir_version)

    def placeholder_matches(self, body: str, actual: str) -> bool:
        kind, _, argument = body.partition(":")
        if not body:
            return True
        if kind == "choice":
            return actual in argument.split("|")
        if kind == "fragments":
            return _contains_all(actual, argument)
        if kind == "external":
            number, _, fragments = argument.partition(":")
            if number in self.externals:
                return actual == self.externals[number]
            return _contains_all(actual, fragments) if fragments else True
        if body == "version":
            return actual == self.fhir_version
        if body == "string":
            return actual == actual.strip()
        regex = PLACEHOLDERS.get(body)
        return bool(regex and regex.fullmatch(actual))

    def describe(self, expected: str) -> str:
        """The expectation of a template string, in words."""
        if not (len(expected) > 1 and expected.startswith("$") and expected.endswith("$")):
            return json.dumps(expected.replace("$version$", self.fhir_version), ensure_ascii=False)
        kind, _, argument = expected[1:-1].partition(":")
        if kind == "choice":
            return f"one of {argument.split('|')}"
        if kind == "fragments":
            return f"a text containing {argument.split('|')}"
        if kind == "external":
            number, _, fragments = argument.partition(":")
            if number in self.externals:
                return f"external message {number} {json.dumps(self.externals[number])}"
            return f"a text containing {fragments.split('|')} (external message {number})"
        if kind == "version":
            return f"FHIR version {self.fhir_version}"
        if kind in PLACEHOLDERS or kind == "string":
            return f"{expected} (a value of that kind)"
        return f"{expected}, a placeholder this harness does not know"


def _assign(left: list[int], right_count: int, fits: Callable[[int, int], bool]) -> dict[int, int]:
    """A maximum matching of left items to right items (augmenting paths): right -> left."""
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        # from the same index on: arrays in the same order then match in one pass each
        start = min(i, right_count)
        for j in chain(range(start, right_count), range(start)):
            if j not in seen and fits(i, j):
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in left:
        augment(i, set())
    return owner


def _differences(findings: list[_Finding]) -> list[_Finding]:
    return [f for f in findings if not f.warning]


def _warns(item: Any) -> bool:
    return isinstance(item, dict) and str(item.get("$optional$", "")).startswith("warning:")


def _same_primitive(expected: Any, actual: Any) -> bool:
    # bool is an int in Python: true must not match 1
    if isinstance(expected, bool) or isinstance(actual, bool) or expected is None:
        return expected is actual
    return isinstance(actual, int | float) and expected == actual


def _contains_all(text: str, fragments: str) -> bool:
    return all(fragment.lower() in text.lower() for fragment in fragments.split("|"))


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return _short(value)


def _short(value: Any, limit: int = _SHORT) -> str:
    """A value as compact JSON, without template markers, cut to a readable length."""
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if k not in MARKERS}
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Scrubbing (TxTesterScrubbers, and the message sort of TxTesterSorters)


def scrub(resource: dict) -> dict:
    """A copy of an answer without what the tests do not control."""
    scrubbed = copy.deepcopy(resource)
    _scrub_resource(scrubbed)
    return scrubbed


def _scrub_resource(resource: dict) -> None:
    kind = resource.get("resourceType")
    if kind == "Parameters":
        _scrub_parameters(resource)
    elif kind == "ValueSet":
        _scrub_domain_resource(resource)
    elif kind == "OperationOutcome":
        _scrub_domain_resource(resource)
        _scrub_issues(resource)


def _scrub_parameters(parameters: dict) -> None:
    parameters.pop("meta", None)
    kept = [p for p in parameters.get("parameter", []) if p.get("name") != "diagnostics"]
    if kept:
        parameters["parameter"] = kept
    else:
        parameters.pop("parameter", None)
    for parameter in kept:
        if isinstance(parameter.get("resource"), dict):
            _scrub_resource(parameter["resource"])
        # several messages joined by "; " come in any order: the templates have them sorted
        message = parameter.get("valueString")
        if parameter.get("name") == "message" and isinstance(message, str) and "; " in message:
            parameter["valueString"] = "; ".join(sorted(message.split("; ")))


def _scrub_domain_resource(resource: dict) -> None:
    resource.pop("text", None)
    resource.pop("meta", None)
    _drop_unmanaged_extensions(resource)


def _scrub_issues(outcome: dict) -> None:
    # diagnostics are free text: issues with nothing else go, and the others lose them
    issues = [i for i in outcome.get("issue", []) if "details" in i or "diagnostics" not in i]
    for issue in issues:
        diagnostics = issue.get("diagnostics")
        if diagnostics is not None and "x-request-id" not in diagnostics.lower():
            del issue["diagnostics"]
    if issues:
        outcome["issue"] = issues
    else:
        outcome.pop("issue", None)


def _drop_unmanaged_extensions(node: Any) -> None:
    """Remove unmanaged extensions everywhere, except inside ValueSet.compose (as the runner)."""
    if isinstance(node, list):
        for item in node:
            _drop_unmanaged_extensions(item)
        return
    if not isinstance(node, dict):
        return
    if "extension" in node:
        kept = [e for e in node["extension"] if _managed(e)]
        if kept:
            node["extension"] = kept
        else:
            del node["extension"]
    for key, value in list(node.items()):
        if key == "compose" and node.get("resourceType") == "ValueSet":
            if isinstance(value, dict) and "extension" in value:
                value["extension"] = [e for e in value["extension"] if _managed(e)]
                if not value["extension"]:
                    del value["extension"]
            continue
        _drop_unmanaged_extensions(value)
        if key.startswith("_") and value == {}:
            del node[key]  # a primitive's extensions, all removed


def _managed(extension: dict) -> bool:
    url = extension.get("url", "")
    return not _ABSOLUTE_URL.match(url) or url in MANAGED_EXTENSIONS
