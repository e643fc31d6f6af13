"""Fuzz the JSON API with schemathesis against its own OpenAPI document.

Builds a throwaway install (fresh SQLite database under a temporary instance directory, or
the empty database named by DATABASE_URL), migrates it, loads the demo data, creates one
account per role with an API token, serves the app with gunicorn on a free loopback port,
then runs ``schemathesis run`` once per role. Exits non-zero if any check fails; the server
is always stopped and the temporary directory removed.

    .venv/bin/python tests/api_fuzz/schemathesis_run.py [--max-examples 25] [--roles officer,admin]

Needs the test extras (schemathesis) in the interpreter that runs it; installs nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess  # nosec B404  # runs our own CLI, gunicorn and schemathesis, no shell
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from reintegrate.server import THREADS_PER_WORKER

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
SCHEMA_PATH = "/api/v1/openapi.json"
ROLES = ("officer", "admin", "manager", "employer")
#: The stateful phase is left out: it runs until a long step budget is spent (minutes per
#: role) and flask-smorest declares no OpenAPI links for it to follow. One schemathesis
#: worker: SQLite in WAL mode refuses a second concurrent writer ("database is locked").
#: Every schemathesis check. ``positive_data_acceptance`` is left out: data valid for the
#: schema is still refused for business reasons the schema cannot express (a returnee id
#: that does not exist, a referral without consent), with a documented 404/409/422.
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance,negative_data_rejection,"
    "missing_required_header,unsupported_method,allow_header_conformance,use_after_free,"
    "ensure_resource_availability,ignored_auth"
)
ACCOUNTS = {
    # role: (email, extra `reintegrate user create` options)
    "officer": ("fuzz.officer@example.test", ["--province", "02"]),
    "employer": ("fuzz.employer@example.test", ["--employer", "Angkor Garments Co., Ltd."]),
    "manager": ("fuzz.manager@example.test", []),
    "admin": ("fuzz.admin@example.test", []),
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _run(command: list[str], env: dict[str, str], *, stdin: str | None = None) -> str:
    done = subprocess.run(  # noqa: S603  # nosec B603
        command, env=env, cwd=ROOT, input=stdin, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"error: {' '.join(command[:4])} ... exited {done.returncode}")
    return done.stdout


def _prepare(env: dict[str, str]) -> dict[str, str]:
    """Migrate, load demo data, create the fuzzing accounts; role -> API token."""
    cli = str(BIN / "reintegrate")
    _run([cli, "db", "upgrade"], env)
    _run([cli, "demo"], env)

    def account(role: str) -> str:
        email, options = ACCOUNTS[role]
        password = secrets.token_urlsafe(18)
        command = [cli, "user", "create", email, "--role", role, *options, "--password-stdin"]
        _run(command, env, stdin=password + "\n")
        return _run([cli, "token", "create", email], env).strip().splitlines()[-1]

    # One after another: concurrent SQLite writers fail with "database is locked".
    return {role: account(role) for role in ACCOUNTS}


def _wait_for(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"error: the server exited with {server.returncode} before serving")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310  # nosec B310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"error: {url} did not answer within {seconds:.0f} s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _fuzz(
    role: str, token: str, base: str, args: argparse.Namespace, reports: Path
) -> tuple[int, int]:
    """One schemathesis run as ``role``: (exit code, number of test cases)."""
    report = reports / f"{role}.ndjson"
    command = [
        str(BIN / "schemathesis"),
        "run",
        base + SCHEMA_PATH,
        "--checks",
        CHECKS,
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--workers",
        "1",
        "--phases",
        "examples,coverage,fuzzing",
        "--request-timeout",
        "30",
        "--header",
        f"Authorization: Bearer {token}",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--output-truncate",
        "true",
        "--no-color",
    ]
    print(f"-- schemathesis as {role} (seed {args.seed})", flush=True)
    try:
        code = subprocess.run(command, cwd=ROOT, timeout=args.timeout, check=False).returncode  # noqa: S603  # nosec B603
    except subprocess.TimeoutExpired:
        print(f"error: schemathesis as {role} took over {args.timeout} s", file=sys.stderr)
        code = 124
    return code, _count_cases(report)


def _count_cases(report: Path) -> int:
    """Test cases run, from the ndjson events (one ScenarioFinished... per operation)."""
    if not report.exists():
        return 0
    cases = 0
    for line in report.read_text(encoding="utf-8").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        finished = event.get("ScenarioFinished") if isinstance(event, dict) else None
        if isinstance(finished, dict):
            recorder = finished.get("recorder") or {}
            cases += len(recorder.get("cases") or {})
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=25, help="per operation and phase")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "2026")))
    parser.add_argument("--roles", default="officer,admin,manager,employer")
    parser.add_argument("--timeout", type=int, default=150, help="seconds per role")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        parser.error(f"unknown role(s): {', '.join(unknown)}")

    workdir = Path(tempfile.mkdtemp(prefix="reintegrate-fuzz-"))
    env = {
        **os.environ,
        "REINTEGRATE_ENV": "development",
        "REINTEGRATE_INSTANCE": str(workdir),
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'fuzz.db'}",
        "PYTHONUNBUFFERED": "1",
    }
    server = None
    started = time.monotonic()
    try:
        tokens = _prepare(env)
        port = _free_port()
        base = f"http://{HOST}:{port}"
        log = (workdir / "server.log").open("wb")
        server = subprocess.Popen(  # noqa: S603  # nosec B603
            [
                str(BIN / "gunicorn"),
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                "1",
                "--threads",
                str(THREADS_PER_WORKER),
                "--timeout",
                "60",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait_for(base + SCHEMA_PATH, server)
        print(f"server at {base} (ready after {time.monotonic() - started:.0f} s)", flush=True)
        results = {role: _fuzz(role, tokens[role], base, args, workdir) for role in roles}
    finally:
        if server is not None:
            _stop(server)
            log_text = (workdir / "server.log").read_text(errors="replace")
            errors = [line for line in log_text.splitlines() if "Traceback" in line]
            if errors:
                print(f"server log: {len(errors)} traceback(s); tail:\n{log_text[-4000:]}")
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    total = sum(cases for _, cases in results.values())
    for role, (code, cases) in results.items():
        print(f"{role:<9} {cases:>6} test cases  {'passed' if code == 0 else f'FAILED ({code})'}")
    print(f"schemathesis: {total} test cases in {time.monotonic() - started:.0f} s")
    return 0 if all(code == 0 for code, _ in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
