"""hjemme's settings: one typed object, read from the environment (prefix ``HJEMME_``) on demand.

Only adapters (api, web, cli) and services read settings; engines get ``…Params`` values instead.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HJEMME_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/hjemme.db",
        description="SQLAlchemy URL; SQLite by default, PostgreSQL when set to postgresql://…",
    )
    secret_key: str = Field(
        default="hjemme-dev-secret-change-me-in-production-0123456789",
        description="Signs access tokens and session cookies; set a long random value in production.",
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

    @property
    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and self.database_url != "sqlite:///:memory:":
            return Path(self.database_url[len(prefix) :])
        return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, validated once on first use (never at import)."""
    return Settings()
