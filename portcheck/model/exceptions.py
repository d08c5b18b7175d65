"""schema/exceptions.yaml: reviewed, visible departures from a rule (README, "Exceptions").

The file is owned by the platform team through CODEOWNERS, which is what makes
it trusted, so it is read from the head. Only the rules that record a
deliberate act on one allocation can be excepted: the diff rules (a renumbering
agreed with every client) and the policy's ranges and reserved blocks (a legacy
service on a reserved port).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from portcheck.model import Id, IsoDate, Owner

Excepted = Literal["PC300", "PC301", "PC700", "PC701", "PC703"]


class Acknowledgement(BaseModel):
    """One deliberate departure: which rule, for which allocation, why, until when, who."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        title="Exception",
        json_schema_extra={"description": "One reviewed departure from a rule."},
    )

    rule: Excepted = Field(description="The rule excepted: PC300, PC301, PC700, PC701 or PC703.")
    allocation: Id = Field(description="The allocation id (file stem) it covers.")
    reason: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="Why, in a sentence."
    )
    expires: IsoDate = Field(description="The last day it covers (YYYY-MM-DD).")
    requested_by: Owner = Field(description="@user or @org/team who asked for it.")


class ExceptionsFile(BaseModel):
    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        title="portcheck exceptions",
        json_schema_extra={"description": "schema/exceptions.yaml: reviewed departures."},
    )

    exceptions: list[Acknowledgement] = Field(
        default_factory=list, description="The departures, one entry each."
    )
