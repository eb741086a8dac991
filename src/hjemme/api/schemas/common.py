"""Bounds every API input shares, so a value no computation can handle is a 422, never a 500 (#12).

Dates: the service runs in this century; ``0001-01-01`` or ``9999-12-31`` would overflow date
arithmetic (a day before, a week after) deep inside a service. Integers: a page offset must fit a
database BIGINT, a solver seed 32 bits.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator

from hjemme.domain.time import check_service_date

MAX_OFFSET = 2**63 - 1
MAX_SEED = 2**32 - 1

ServiceDate = Annotated[dt.date, AfterValidator(check_service_date)]
"""A date a user may ask about: 2000-01-01 to 2099-12-31."""
