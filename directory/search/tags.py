"""FHIR tags that query layers and the API both put on resources."""

from __future__ import annotations

# A resource returned with some of its elements left out (_elements, _summary, search results).
SUBSETTED = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
    "code": "SUBSETTED",
}
