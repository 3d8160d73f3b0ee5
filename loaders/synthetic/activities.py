"""The FINESS+ activities flux (`finess-activites-journalier-YYYYMMDD.json.gz`).

Shaped like ANS's `exemple-finess-activites-journalier-20260401.json`: one `pmej` item per
legal entity with activities; its authorised activities, then per establishment the
exercised ones, each pointing at its authorisation (`identifiantAutorisation`). Absent
values are null, as in the sample. Capacities: `statutCapacite` 09 authorised, 08 installed.
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import count
from typing import BinaryIO

from loaders.synthetic.jsonflux import JsonFlux, day_text
from loaders.synthetic.model import Activity, Establishment, LegalEntity

ACTIVITY_MIGRATION = datetime(2025, 10, 21, 19, 37, 3)
ARHGOS_SYSTEM = "02"  # health activities come from ARHGOS, the others from FINESS ("01")
# Per nature: key of its own id, keys published null, key and names of its codes.
# fmt: off
NATURES = {
    "AMF": ("aaSoinAmfId", (), "typeActiviteAMF",
            ("activiteAMF", "modaliteActivite", "formeActivite")),
    "ASR": ("aaSoumiseAReconnaissanceId", ("etatArhgos",), "typeActiviteASR",
            ("activiteSanitaireRegulee", "modaliteActivite", "formeActivite")),
    "AASA": ("aaAutreActSoinId",
             ("dateLimDep", "dateLimVisiteConformite", "dateVisite", "numDecision",
              "resultatVisite", "etatArhgos"),
             "typeActiviteAASA", ("activiteSanitaireRegulee", "modaliteActivite", "formeActivite")),
    "ASDR": ("aaSanitaireDiverseReguleeId", (), "typeActiviteASDR",
             ("activiteSanitaireDiverseRegulee", "modeFonctionnement", "public")),
    "ASMR": ("aaSocialeReguleeId",
             ("ageMaxAutorise", "ageMaxInstalle", "ageMinAutorise", "ageMinInstalle"),
             "typeActiviteAMSR", ("activiteSocialeRegulee", "modeFonctionnement", "public")),
}
# fmt: on


class ActivitiesFlux:
    def __init__(self, stream: BinaryIO, generated_at: datetime) -> None:
        self.flux = JsonFlux(stream, generated_at)
        self.ids = count(1)  # activiteAeId and the natures' own ids
        self.capacities = count(1)
        self.flux.array("pmej")

    def write(self, entity: LegalEntity) -> None:
        authorised, establishments = [], []
        for establishment in entity.establishments:
            exercised = []
            for activity in establishment.activities:
                authorisation = next(self.ids)
                authorised.append(self._activity(activity, authorisation, entity, None))
                exercised.append(
                    self._activity(activity, next(self.ids), entity, establishment, authorisation)
                )
            if exercised:
                establishments.append(
                    {
                        "egeId": str(establishment.ege_id),
                        "numFinessEge": establishment.finess,
                        "activitesExercees": exercised,
                    }
                )
        if authorised:
            self.flux.add(
                {
                    "numFiness": entity.finess,
                    "pmSmsseId": str(entity.pm_id),
                    "activitesAutorisees": authorised,
                    "ege": establishments,
                }
            )

    def close(self) -> None:
        self.flux.close()

    def _activity(
        self,
        activity: Activity,
        activity_id: int,
        entity: LegalEntity,
        establishment: Establishment | None,
        authorisation: int | None = None,
    ) -> dict:
        """An authorised activity of `entity`, or (with `establishment`) the exercised one."""
        kind = activity.type
        exercised = establishment is not None
        generic: dict = {
            "activiteAeId": str(activity_id),
            "etatObjet": "A" if activity.active else "I",
            "identifiantAutorisation": str(authorisation) if exercised else None,
            "numAutorisationArhgos": None if exercised else activity.arhgos,
            "dateDebutActiviteAutorisee": day_text(activity.start),
            "dateFinActiviteAutorisee": None,
            "dateFinEffectiveActivite": day_text(activity.ended),
            "dateCaduciteAutorisation": None,
            "egeId": str(establishment.ege_id) if exercised else None,
            "typeActiviteSMSSE": kind.smsse,
        }
        if exercised:
            generic |= {"egeExploitanteId": None, "egeFacturante": None}
        else:
            generic["pmSmsseExploitanteId"] = None
        id_key, null_keys, codes_key, code_names = NATURES[kind.nature]
        # The sample fills the nature's ids of exercised and medico-social activities only.
        with_ids = exercised or kind.nature == "ASMR"
        specific: dict = {id_key: str(next(self.ids)) if with_ids else None}
        specific |= dict.fromkeys(null_keys)
        specific["activiteAeId"] = str(activity_id) if with_ids else None
        specific[codes_key] = dict(zip(code_names, kind.codes, strict=True))
        system = ARHGOS_SYSTEM if activity.arhgos else "01"
        subject = ("AC", activity_id)
        events = []
        if activity.start:
            if exercised:
                events.append(self._event(activity.start, "012", subject, system, None))
            linked = ("EG", establishment.ege_id) if exercised else ("PM", entity.pm_id)
            events.append(self._event(activity.start, "010", subject, system, linked))
        if activity.ended and exercised:
            events.append(self._event(activity.ended, "015", subject, system, None))
        capacities = []
        if activity.capacity is not None:
            for status in ("08", "09") if exercised else ("09",):
                capacities.append(self._capacity(activity.capacity, activity_id, status))
        return {
            "caracteristiquesGeneriques": generic,
            "nature": {"codeNature": kind.nature, "caracteristiquesSpecifiques": specific},
            "evenement": events,
            "engagement": [],
            "capacite": capacities,
            "zoneIntervention": None,
        }

    def _event(
        self,
        moment: date,
        code: str,
        subject: tuple[str, int],
        system: str,
        linked: tuple[str, int] | None,
    ) -> dict:
        return self.flux.event(
            ACTIVITY_MIGRATION,
            moment,
            code,
            code,
            subject,
            system=system,
            linked=linked,
            with_link=True,
        )

    def _capacity(self, number: int, activity_id: int, status: str) -> dict:
        return {
            "idCapacite": str(next(self.capacities)),
            "nombre": str(number),
            "precision": None,
            "variation": None,
            "activiteAeId": str(activity_id),
            "engagementId": None,
            "habilitation": None,
            "statutCapacite": status,
            "modeFinancement": None,
            "uniteMesureCapacite": "02",
            "typeLogement": None,
            "genre": None,
        }
