"""Synthetic Oslo population (patients, enrolments, staff roster, vehicle pool): a pure generator."""

from hjemme.synthetic.params import SyntheticParams
from hjemme.synthetic.population import Population, generate_population

__all__ = ["Population", "SyntheticParams", "generate_population"]
