"""``hjemme device-token issue|revoke`` on a real database."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hjemme.cli.main import app
from hjemme.services.device_tokens import authenticate_device, token_digest
from hjemme.store import repositories as repo
from hjemme.store.database import create_db_engine, session_scope, upgrade
from hjemme.store.monitoring_tables import DeviceTokenRecord
from tests.store import factories

runner = CliRunner()


def test_issue_prints_the_token_once_and_revoke_ends_it(database_env: str) -> None:
    """Issuing prints a token that authenticates as the device for its patient (only its hash is kept);
    revoking the device ends it; an unknown patient exits 2."""
    engine = create_db_engine(database_env)
    upgrade(engine)
    with session_scope(engine) as session:
        repo.add_patients(session, [factories.patient("P1")])
    issued = runner.invoke(app, ["device-token", "issue", "scale-7", "--patient", "P1"])
    assert issued.exit_code == 0, issued.output
    token = json.loads(issued.stdout.strip().splitlines()[-1])["token"]
    caller = authenticate_device(engine=engine, token=token)
    assert (caller.device_id, caller.patient_id, caller.username) == ("scale-7", "P1", "device:scale-7")
    with session_scope(engine) as session:
        assert session.get(DeviceTokenRecord, token_digest(token)) is not None
    revoked = runner.invoke(app, ["device-token", "revoke", "scale-7"])
    assert revoked.exit_code == 0 and json.loads(revoked.stdout)["revoked"] == 1
    assert runner.invoke(app, ["device-token", "issue", "scale-8", "--patient", "NOPE"]).exit_code == 2
    engine.dispose()
