import pytest

from hjemme.errors import InputError
from hjemme.geo import BuiltinTravelTimeProvider, make_provider, provider_names, register_provider


def test_default_provider_is_the_builtin_model():
    """Without configuration the built-in model is used."""
    assert isinstance(make_provider(), BuiltinTravelTimeProvider)
    assert "builtin" in provider_names()


def test_unknown_provider_name_is_an_input_error():
    """A misspelt provider name is reported with the known names."""
    with pytest.raises(InputError, match="builtin"):
        make_provider("osrm-typo")


def test_a_new_provider_can_be_registered_by_name():
    """A road-network provider can be added later under its own name."""
    register_provider("test-builtin-alias", BuiltinTravelTimeProvider)
    assert isinstance(make_provider("test-builtin-alias"), BuiltinTravelTimeProvider)
