"""The settings' keys (#12): no default, no short or published key, the research key apart, and the
demo's generated pair kept in var/ (0600) and reused."""

from __future__ import annotations

import json
import stat

import pytest
from pydantic import ValidationError

from hjemme.settings import KNOWN_KEYS, MissingKeyError, Settings, with_demo_keys

GOOD = "k" * 40
OTHER = "r" * 40


def test_a_fresh_environment_has_no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without HJEMME_SECRET_KEY the settings hold no key, and require_keys names the variable."""
    monkeypatch.delenv("HJEMME_SECRET_KEY", raising=False)
    monkeypatch.delenv("HJEMME_RESEARCH_KEY", raising=False)
    settings = Settings()
    assert settings.secret_key == "" and settings.research_key == ""
    with pytest.raises(MissingKeyError, match="HJEMME_SECRET_KEY"):
        settings.require_keys()
    with pytest.raises(MissingKeyError, match="HJEMME_RESEARCH_KEY"):
        Settings(secret_key=GOOD).require_keys()
    Settings(secret_key=GOOD, research_key=OTHER).require_keys()


@pytest.mark.parametrize("key", sorted(KNOWN_KEYS) + ["short-key", "x" * 31])
@pytest.mark.parametrize("field", ["secret_key", "research_key"])
def test_short_or_published_keys_are_refused(field: str, key: str) -> None:
    """A key shorter than 32 characters or one published with hjemme is refused, naming the field."""
    with pytest.raises(ValidationError, match=field):
        Settings(**{field: key})


def test_the_research_key_must_differ_from_the_signing_key() -> None:
    """One key for both would let whoever signs log-ins also undo the pseudonyms."""
    with pytest.raises(ValidationError, match="HJEMME_RESEARCH_KEY must differ"):
        Settings(secret_key=GOOD, research_key=GOOD)


def test_demo_keys_are_made_once_private_and_reused(tmp_path) -> None:
    """The demo's keys are random, written 0600 in var/, and the same on the next start."""
    first = with_demo_keys(Settings(), tmp_path / "var")
    path = tmp_path / "var" / "demo-keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first.secret_key) >= 32 and len(first.research_key) >= 32
    assert first.secret_key != first.research_key
    again = with_demo_keys(Settings(), tmp_path / "var")
    assert (again.secret_key, again.research_key) == (first.secret_key, first.research_key)
    assert json.loads(path.read_text())["secret_key"] == first.secret_key


def test_demo_keeps_a_key_set_in_the_environment(tmp_path) -> None:
    """A key given explicitly wins over the generated one."""
    settings = with_demo_keys(Settings(secret_key=GOOD), tmp_path)
    assert settings.secret_key == GOOD and settings.research_key not in ("", GOOD)
