"""hjemme's settings: one typed object, read from the environment (prefix ``HJEMME_``) on demand.

Only adapters (api, web, cli) and services read settings; engines get ``…Params`` values instead.

Two keys are secrets and have no default (#12): ``secret_key`` signs access tokens and session
cookies, ``research_key`` keys the researchers' pseudonyms. They are separate so that whoever may
sign in cannot also undo the pseudonyms, and neither may be short or a known published value.
``hjemme serve`` refuses to start without both; ``hjemme demo`` makes a random pair once per
installation and keeps it in ``var/`` (:func:`with_demo_keys`).
"""

from __future__ import annotations

import json
import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hjemme.rota.problem import RotaParams

MIN_KEY_LENGTH = 32
KNOWN_KEYS = frozenset(
    {
        "hjemme-dev-secret-change-me-in-production-0123456789",  # the development default up to #12
        "hjemme-dev-research-key-change-me-in-production-0123456789",
        "changeme",
        "change-me",
        "secret",
        "secret-key",
        "your-secret-key",
        "please-change-me",
    }
)
"""Values published with hjemme or in every tutorial: a server keyed with one is open to anyone."""
KEY_VARIABLES = {"secret_key": "HJEMME_SECRET_KEY", "research_key": "HJEMME_RESEARCH_KEY"}
DEMO_KEY_FILE = "demo-keys.json"


class MissingKeyError(Exception):
    """A key the server needs is not configured; the message names the environment variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HJEMME_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/hjemme.db",
        description="SQLAlchemy URL; SQLite by default, PostgreSQL when set to postgresql://…",
    )
    secret_key: str = Field(
        default="",
        description="Signs access tokens and session cookies: at least 32 random characters. "
        "Required by `hjemme serve`; `hjemme demo` makes one in var/.",
    )
    research_key: str = Field(
        default="",
        description="Keys the researchers' pseudonyms (HMAC of the patient id); never the signing key. "
        "Required by `hjemme serve`; `hjemme demo` makes one in var/.",
    )
    token_minutes: int = Field(default=480, ge=1, description="Lifetime of an access token.")
    travel_time_provider: str = Field(
        default="builtin", description="Which travel-time provider the planner uses."
    )
    mqtt_url: str = Field(default="mqtt://127.0.0.1:1883", description="Device-data broker.")
    tile_url: str = Field(
        default="", description="Map tile URL template for the web map; empty draws no tiles."
    )
    video_url: str = Field(
        default="",
        description="Video-visit link template for my day, with {task} for the visit's task id "
        "(e.g. https://video.example.no/rom/{task}); empty shows no link.",
    )
    language: str = Field(default="nb", description="Default UI language (nb or en).")
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed log-ins of one user name within the window that lock it."
    )
    login_max_failures_per_client: int = Field(
        default=20, ge=1, description="Failed log-ins from one client address within the window that lock it."
    )
    login_window_minutes: int = Field(default=15, ge=1, description="The log-in throttle's window.")
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks (CIDR) of reverse proxies whose "
        "X-Forwarded-For is believed; empty (the default) believes no one.",
    )
    freeze_horizon_min: int = Field(
        default=60,
        ge=0,
        le=24 * 60,
        description="Re-planning keeps every stop starting within this many minutes from now where it is.",
    )
    reassign_cost: int = Field(
        default=20_000,
        ge=0,
        description="Stability: the planner's cost of giving a planned task to someone else.",
    )
    moved_cost_per_min: int = Field(
        default=200,
        ge=0,
        description="Stability: the planner's cost per minute a planned stop's start moves.",
    )
    research_k: int = Field(
        default=5,
        ge=2,
        le=1000,
        description="k of the research export's k-anonymity check: every quasi-identifier group "
        "holds at least k patients.",
    )
    care_horizon_days: int = Field(
        default=7,
        ge=0,
        le=60,
        description="A clinician sees the patients on their routes from today to this many days ahead.",
    )
    emergency_access_hours: int = Field(
        default=12, ge=1, le=72, description="How long an emergency access to a patient lasts."
    )
    max_json_bytes: int = Field(
        default=1_000_000, ge=1024, description="Largest request body other than a file upload (413 above)."
    )
    max_upload_bytes: int = Field(
        default=10_000_000, ge=1024, description="Largest multipart (file upload) request body (413 above)."
    )
    var_dir: Path = Field(
        default=Path("var"),
        description="Where `hjemme demo` keeps its generated keys (demo-keys.json, mode 0600).",
    )
    demo_stream: bool = Field(
        default=True,
        description="`hjemme demo` runs synthetic patients' devices sending measurements through the "
        "ingest (MQTT when the broker answers, CSV otherwise); `hjemme serve` never does.",
    )
    rota_page_seconds: float = Field(
        default=20.0,
        ge=1.0,
        le=600.0,
        description="Search time of a rota planned or re-planned from the page (a background job with "
        "a progress bar); the CLI and API take their own limit.",
    )
    rota_solves_at_once: int = Field(
        default_factory=lambda: max(1, (os.cpu_count() or 1) // RotaParams().workers),
        ge=1,
        le=64,
        description="Rota plans and re-plans (page or API) that search at once; the others wait their "
        "turn, shown as queued with how many go before them. By default the cores over the solver's "
        "workers per search, at least 1.",
    )
    https: bool = Field(
        default=False,
        description="Served to users over https (e.g. behind a TLS proxy): send HSTS on every response.",
    )

    @field_validator("secret_key", "research_key")
    @classmethod
    def _strong_key(cls, value: str) -> str:
        if not value:
            return value
        if value.strip().lower() in KNOWN_KEYS:
            raise ValueError("is a published default value; set a random one (e.g. `openssl rand -hex 32`)")
        if len(value) < MIN_KEY_LENGTH:
            raise ValueError(f"is shorter than {MIN_KEY_LENGTH} characters; use e.g. `openssl rand -hex 32`")
        return value

    @model_validator(mode="after")
    def _separate_keys(self) -> Settings:
        if self.secret_key and self.secret_key == self.research_key:
            raise ValueError("HJEMME_RESEARCH_KEY must differ from HJEMME_SECRET_KEY")
        return self

    def require_keys(self) -> None:
        """Raise :class:`MissingKeyError` naming the first key that is not configured."""
        for field, variable in KEY_VARIABLES.items():
            if not getattr(self, field):
                raise MissingKeyError(
                    f"{variable} is not set: set it to a random value of at least {MIN_KEY_LENGTH} "
                    f"characters (e.g. `openssl rand -hex 32`), or try hjemme with `hjemme demo`"
                )

    @property
    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and self.database_url != "sqlite:///:memory:":
            return Path(self.database_url[len(prefix) :])
        return None


def with_demo_keys(settings: Settings, directory: Path) -> Settings:
    """``settings`` with every unset key taken from ``directory/demo-keys.json``.

    The file is made once per installation with random keys, readable by its owner only (0600),
    and reused on every later start, so demo log-ins and pseudonyms survive a restart.
    """
    path = directory / DEMO_KEY_FILE
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        keys = {field: secrets.token_urlsafe(48) for field in KEY_VARIABLES}
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(keys, handle)
    stored = json.loads(path.read_text(encoding="utf-8"))
    missing = {field: stored[field] for field in KEY_VARIABLES if not getattr(settings, field)}
    return Settings.model_validate({**settings.model_dump(), **missing}) if missing else settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, validated once on first use (never at import)."""
    return Settings()
