"""The message catalogues: every UI string has a bokmål translation, compiled and committed."""

from __future__ import annotations

from babel.messages.pofile import read_po

from hjemme.web.rendering import LOCALES, translations


def _ids(path):
    with open(path, "rb") as f:
        return {m.id for m in read_po(f) if m.id}


def test_catalogues_cover_the_template():
    """nb and en catalogues hold exactly the extracted strings."""
    expected = _ids(LOCALES / "messages.pot")
    for lang in ("nb", "en"):
        assert _ids(LOCALES / lang / "LC_MESSAGES" / "messages.po") == expected


def test_every_string_is_translated_to_bokmal():
    """Every extracted string has a bokmål text in the compiled catalogue."""
    with open(LOCALES / "nb" / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalogue = read_po(f)
    nb = translations("nb")
    for message in catalogue:
        if isinstance(message.id, tuple):  # a plural: one form for 1, the other for 2 (bokmål has two)
            assert all(message.string), message.id
            assert nb.ngettext(*message.id, 1) == message.string[0], message.id
            assert nb.ngettext(*message.id, 2) == message.string[1], message.id
        elif message.id:
            assert message.string, message.id
            assert nb.gettext(message.id) == message.string, message.id
