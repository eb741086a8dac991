"""Parameters of the synthetic population: shares and staffing ratios, all assumptions to calibrate.

The defaults of the population shares come from the catalogue (``population.yaml``); the rest are
stated here with what they stand for, so that a scenario can override any of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from hjemme.catalogue import PopulationDefaults
from hjemme.domain.pathways import ServiceKind


def _default_mix() -> Mapping[ServiceKind, float]:
    return MappingProxyType({ServiceKind.AHS: 0.30, ServiceKind.AMBULANT: 0.30, ServiceKind.DHO: 0.40})


@dataclass(frozen=True)
class SyntheticParams:
    """How the synthetic population is drawn.

    Shares are probabilities per patient. Staffing is sized from the pathways' expected daily
    minutes per skill: ``(visit minutes + travel allowance) × headroom / productive minutes``.
    """

    service_mix: Mapping[ServiceKind, float] = field(default_factory=_default_mix)
    interpreter_share: float = 0.08  # assumption: patients who need an interpreter
    lives_alone_share: float = 0.48  # strategic plan 2023–2030: 48 % of Oslo residents live alone
    other_language_share: float = 0.05  # speak another language at home, no interpreter needed
    hypercapnic_share: float = 0.30  # of SpO2-monitored patients: target 88–92 % (NEWS2 scale 2)
    delivery_note_share: float = 0.35
    cross_training_share: float = 0.30  # nurses with a second speciality
    visit_travel_allowance_min: int = 25  # driving per home visit, for sizing only
    video_overhead_min: int = 5  # documentation per video consultation, for sizing only
    productive_min_per_shift: int = 330  # of a 450-minute working day, after meetings and notes
    staffing_headroom: float = 1.25  # slack so that the planner can choose
    patients_per_van: int = 60
    patients_per_cold_van: int = 100  # pumps and IV antibiotics go out cold before the morning visits
    patients_per_courier: int = 100  # qualified, cold: cytostatics in the morning, samples all day
    patients_per_paramedic: int = 250
    pool_cars_per_clinician: float = 0.8  # some clinicians walk, cycle or share a car

    def __post_init__(self) -> None:
        shares = {
            "interpreter_share": self.interpreter_share,
            "lives_alone_share": self.lives_alone_share,
            "other_language_share": self.other_language_share,
            "hypercapnic_share": self.hypercapnic_share,
            "delivery_note_share": self.delivery_note_share,
            "cross_training_share": self.cross_training_share,
            "pool_cars_per_clinician": self.pool_cars_per_clinician,
        }
        for name, value in shares.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {value}")
        if self.interpreter_share + self.other_language_share > 1.0:
            raise ValueError("interpreter_share + other_language_share must not exceed 1")
        if any(w < 0 for w in self.service_mix.values()) or sum(self.service_mix.values()) <= 0:
            raise ValueError("service_mix needs non-negative weights with a positive sum")
        counts = {
            "productive_min_per_shift": self.productive_min_per_shift,
            "patients_per_van": self.patients_per_van,
            "patients_per_cold_van": self.patients_per_cold_van,
            "patients_per_courier": self.patients_per_courier,
            "patients_per_paramedic": self.patients_per_paramedic,
        }
        for name, value in counts.items():
            if value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
        if self.staffing_headroom < 1.0:
            raise ValueError("staffing_headroom must be at least 1")
        if self.visit_travel_allowance_min < 0 or self.video_overhead_min < 0:
            raise ValueError("allowances must not be negative")

    @classmethod
    def from_defaults(cls, defaults: PopulationDefaults) -> SyntheticParams:
        """Parameters whose population shares are the catalogue's (``population.yaml``)."""
        return cls(
            service_mix=MappingProxyType(dict(defaults.service_mix)),
            interpreter_share=defaults.interpreter_share,
            lives_alone_share=defaults.lives_alone_share,
        )
