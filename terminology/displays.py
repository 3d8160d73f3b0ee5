"""Which label to show for a concept, given the language asked for."""

from __future__ import annotations

from terminology.codesystem import Concept


def language_matches(tag: str | None, wanted: str) -> bool:
    """`fr-FR` answers `fr`; `fr` answers `fr-FR`; comparisons ignore case."""
    if not tag:
        return False
    tag, wanted = tag.lower(), wanted.lower()
    return tag == wanted or tag.split("-")[0] == wanted.split("-")[0]


def preferred_languages(header: str | None) -> list[str]:
    """Languages of an Accept-Language header or displayLanguage value, best first."""
    if not header:
        return []
    ranked = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(ranked)]


def display_for(
    concept: Concept, language: str | None, default: str | None, system_language: str | None
) -> str | None:
    """The display, unless the code system is in another language than the one asked for and
    the concept has a designation in that language."""
    for wanted in preferred_languages(language):
        if system_language is None or language_matches(system_language, wanted):
            return default
        for designation in concept.designations:
            if language_matches(designation.get("language"), wanted) and designation.get("value"):
                return designation["value"]
    return default
