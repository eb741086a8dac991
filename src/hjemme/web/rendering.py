"""Templates and languages: one Jinja2 environment per UI language, each with its Babel catalogue.

Every UI string goes through ``_()``. The language is ``?lang=`` when given (and then remembered
in a cookie), else the cookie, else ``settings.language``. Templates autoescape, so data is always
escaped; ``tojson`` is used for the data a page script reads. Moments are shown only through the
``when`` filter (Oslo wall clock with the date, ``domain.time.format_local``) and dates through
``day``, never with ``strftime`` in a template (issue 11).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from hjemme.domain.time import format_hhmm, format_local, format_local_date
from hjemme.web import logistics_words
from hjemme.web.csrf import form_token, set_anchor_cookie

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
LOCALES = HERE / "i18n"
LANGUAGES = ("nb", "en")
LANGUAGE_NAMES = {"nb": "Norsk (bokmål)", "en": "English"}
LANG_COOKIE = "hjemme_lang"
LANG_COOKIE_MAX_AGE_S = 365 * 24 * 3600


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


KIND_NAMES = {
    "visit": N_("visit"),
    "video": N_("video consultation"),
    "delivery": N_("delivery"),
    "pickup": N_("pickup"),
    "sample": N_("sample"),
    "device_swap": N_("device swap"),
    "lab": N_("lab drop"),
    "break": N_("break"),
    "clinician": N_("health worker"),
    "van": N_("van"),
    "cold_van": N_("refrigerated van"),
    "car": N_("car"),
    "courier": N_("courier"),
    "red": N_("red"),
    "yellow": N_("yellow"),
    "green": N_("green"),
    "open": N_("open"),
    "acknowledged": N_("acknowledged"),
    "resolved": N_("resolved"),
    "opened": N_("opened"),
    "repeated": N_("repeated"),
    "severity_raised": N_("severity raised"),
    "assigned": N_("assigned"),
    "escalated": N_("escalated"),
    "urgent_visit": N_("urgent visit ordered"),
    "news2": N_("NEWS2"),
    "threshold": N_("threshold"),
    "trend": N_("trend"),
    "missing_data": N_("missing data"),
    "prom": N_("questionnaire"),
    "suggested": N_("suggested"),
    "accepted": N_("accepted"),
    "rejected": N_("rejected"),
    "calendar": N_("calendar interval"),
    "usage": N_("hours of use"),
    "warehouse": N_("warehouse"),
    "patient": N_("at a patient"),
    "workshop": N_("workshop"),
    "confirmed": N_("confirmed"),
    "started": N_("started"),
    "done": N_("done"),
    "blood_panel": N_("blood panel"),
    "crp": N_("CRP"),
    "tacrolimus_dbs": N_("tacrolimus (dried blood spot)"),
    "nurse": N_("nurse"),
    "doctor": N_("doctor"),
    "physiotherapist": N_("physiotherapist"),
    "psychologist": N_("psychologist"),
    "planned": N_("planned"),
    "sick": N_("Sick leave"),
    "holiday": N_("Holiday"),
    "course": N_("Course"),
    "other": N_("Other"),
    "late": N_("late"),
    "not_done": N_("not done"),
    "delivered": N_("delivered"),
    "sample_handed_in": N_("sample handed in"),
    "mark_undone": N_("mark undone"),
    "respiratory_rate": N_("respiratory rate"),
    "spo2": N_("oxygen saturation (SpO₂)"),
    "pulse": N_("pulse"),
    "temperature": N_("temperature"),
    "systolic_bp": N_("systolic blood pressure"),
    "diastolic_bp": N_("diastolic blood pressure"),
    "weight": N_("weight"),
    "consciousness": N_("consciousness (ACVPU)"),
    "oxygen_flow": N_("oxygen flow"),
}
"""Codes shown to people (stop types, resource kinds, alarm severities, statuses, kinds, events,
measured parameters) as words, through the ``kind_name`` filter."""
UNITS = {"Cel": "°C", "mm[Hg]": "mmHg", "{ACVPU}": "", "{score}": ""}
"""UCUM codes as people write the unit (the ``unit`` filter); others (%, kg, /min, L/min) as they are."""
PARAMETERS = frozenset({"respiratory_rate", "spo2", "pulse", "temperature", "systolic_bp", "diastolic_bp",
                        "weight", "consciousness", "oxygen_flow"})
SIDES = {"low": N_("below the limit"), "high": N_("above the limit")}


def alarm_cause(alarm: Any, language: str, kind_name: Callable[[str], str]) -> str:
    """Why an alarm fired, in the page's language. Causes are stored in bokmål (the rules write
    them); an English page names the kind, the parameter and the side from the alarm's key instead."""
    if language == "nb":
        cause = str(alarm.cause)
        for code, text in UNITS.items():
            cause = cause.replace(f" {code}", f" {text}" if text else "")
        return cause
    parts = str(alarm.dedup_key).split(":")[1:]
    words = [kind_name(p) for p in parts if p in PARAMETERS]
    words += [translations(language).gettext(SIDES[p]) for p in parts if p in SIDES]
    if str(alarm.kind) == "news2" and alarm.score is not None:
        words.append(f"{alarm.score:g}")
    return " ".join(words) or kind_name(str(alarm.kind))


ACCESS_WORDS = {
    "day plan": N_("day plan"),
    "own route": N_("own route"),
    "transport routes": N_("transport routes"),
    "patient list": N_("patient list"),
    "personal thresholds": N_("personal thresholds"),
    "QuestionnaireResponse": N_("questionnaire answer"),
    "device token": N_("device token"),
    "urgent-visit": N_("urgent visit ordered"),
    "undone": N_("undone"),
    "alarms": N_("alarms"),
    "alarm": N_("alarm"),
    "patient": N_("patient"),
    "plan": N_("plan"),
    "tasks": N_("tasks"),
    "task": N_("task"),
    "ack": N_("acknowledged"),
    "escalate": N_("escalated"),
    "resolve": N_("resolved"),
    "assign": N_("assigned"),
    "read": N_("read"),
    "write": N_("changed"),
    "purchase order": N_("purchase order"),
    "order suggestions": N_("order suggestions"),
}
"""The words the services write in the access log's "what" and "action" (English, for the log's
readers) as the page's language says them; ids, dates and versions pass through unchanged."""
_ACCESS_WORDS_LONGEST_FIRST = "|".join(re.escape(w) for w in sorted(ACCESS_WORDS, key=len, reverse=True))
_ACCESS_PATTERN = re.compile(rf"(?<![\w-])({_ACCESS_WORDS_LONGEST_FIRST})(?![\w-])")


def access_text(text: str, language: str) -> str:
    """An access-log value in the page's language: known words translated, status codes as words."""
    gettext = translations(language).gettext
    words = _ACCESS_PATTERN.sub(lambda m: gettext(ACCESS_WORDS[m[1]]), text)
    return " ".join(gettext(KIND_NAMES[w]) if w in KIND_NAMES else w for w in words.split(" "))


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> NullTranslations:
    """The compiled catalogue ``i18n/<language>/LC_MESSAGES/messages.mo``."""
    return Translations.load(str(LOCALES), locales=[language], domain="messages")


@lru_cache(maxsize=len(LANGUAGES))
def environment(language: str) -> Environment:
    """The Jinja2 environment for ``language`` (built once; templates are cached inside)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["hhmm"] = format_hhmm
    env.filters["when"] = lambda at, seconds=False: format_local(at, language, seconds=seconds)
    env.filters["day"] = lambda date: format_local_date(date, language)
    env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    env.filters["kind_name"] = text_functions(language)[1]
    env.filters["num"] = lambda value, digits=1: format_number(value, language, digits)
    env.filters["unit"] = lambda code: UNITS.get(code, code)
    env.filters["access_text"] = lambda text: access_text(str(text), language)
    env.filters["alarm_cause"] = lambda alarm: alarm_cause(alarm, language, env.filters["kind_name"])
    env.filters.update(logistics_words.filters(translations(language).gettext))
    return env


def text_functions(language: str) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """``gettext`` and ``kind_name`` (a code as a word) of ``language``, for text built in Python."""
    gettext = translations(language).gettext

    def kind_name(kind: str) -> str:
        return gettext(KIND_NAMES[kind]) if kind in KIND_NAMES else kind

    return gettext, kind_name


def format_number(value: float | int | None, language: str, digits: int = 1) -> str:
    """A number as the language writes it: ``1 074,0`` in bokmål, ``1,074.0`` in English (Babel)."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale="nb_NO" if language == "nb" else "en_GB")


def language_of(request: Request, default: str) -> str:
    """The page's language: ``?lang=``, else the cookie, else ``default``."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE), default):
        if candidate in LANGUAGES:
            return candidate
    return LANGUAGES[0]


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """Render ``template`` in the request's language, remembering an explicit ``?lang=``.

    Every page gets ``csrf_token`` for its forms (see :mod:`hjemme.web.csrf`).
    """
    settings = request.app.state.settings
    language = language_of(request, settings.language)
    csrf_token, new_anchor = form_token(request)
    values: dict[str, Any] = {
        "request": request,
        "lang": language,
        "lang_links": {code: str(request.url.include_query_params(lang=code)) for code in LANGUAGES},
        "user": None,
        "nav": (),
        "current": request.url.path,
        "csrf_token": csrf_token,
    }
    values.update(context or {})
    html = environment(language).get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Content-Language"] = language
    if new_anchor is not None:
        set_anchor_cookie(request, response, new_anchor)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, language, max_age=LANG_COOKIE_MAX_AGE_S, httponly=True, samesite="lax"
        )
    return response
