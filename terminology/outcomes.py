"""Issues raised by terminology operations, worded and coded as the HL7 test suite expects.

Each issue carries a `tx-issue-type` code and the message id tx.fhir.org uses, so that clients
(the FHIR validator first) can act on the kind of problem, not on the text.
"""

from __future__ import annotations

from dataclasses import dataclass

TX_ISSUE_TYPE = "http://hl7.org/fhir/tools/CodeSystem/tx-issue-type"
MESSAGE_ID = "http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id"


@dataclass(frozen=True)
class Issue:
    severity: str  # error | warning | information
    code: str  # OperationOutcome issue type: code-invalid, business-rule, not-found…
    tx_type: str  # tx-issue-type: not-in-vs, invalid-code, code-rule, status-check…
    text: str
    message_id: str | None = None
    expression: str | None = None
    in_message: bool = True  # part of the `message` output parameter

    def element(self) -> dict:
        issue: dict = {}
        if self.message_id:
            issue["extension"] = [{"url": MESSAGE_ID, "valueString": self.message_id}]
        issue.update(
            {
                "severity": self.severity,
                "code": self.code,
                "details": {
                    "coding": [{"system": TX_ISSUE_TYPE, "code": self.tx_type}],
                    "text": self.text,
                },
            }
        )
        if self.expression:
            issue["location"] = [self.expression]
            issue["expression"] = [self.expression]
        return issue


def operation_outcome(issues: list[Issue]) -> dict:
    return {"resourceType": "OperationOutcome", "issue": [i.element() for i in issues]}


def message(issues: list[Issue]) -> str | None:
    """The `message` output: errors and warnings, in a stable order."""
    texts = sorted({i.text for i in issues if i.in_message and i.severity in {"error", "warning"}})
    return "; ".join(texts) or None


class TerminologyError(Exception):
    """An operation that cannot be performed; answered with an OperationOutcome."""

    def __init__(self, issue: Issue, status: int = 400) -> None:
        super().__init__(issue.text)
        self.issue = issue
        self.status = status


def not_found(text: str, tx_type: str = "not-found", message_id: str | None = None):  # noqa: ANN201
    return TerminologyError(Issue("error", "not-found", tx_type, text, message_id), 404)


def invalid(text: str, message_id: str | None = None) -> TerminologyError:
    return TerminologyError(Issue("error", "invalid", "invalid-data", text, message_id), 400)
