"""Load and validate the catalogue data files (sites, districts, products, devices, pathways)."""

from hjemme.catalogue.loader import DEFAULT_DIRECTORY, Catalogue, PopulationDefaults, load_catalogue

__all__ = ["DEFAULT_DIRECTORY", "Catalogue", "PopulationDefaults", "load_catalogue"]
