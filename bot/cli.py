"""The `kentongan` command line (its names are stable: see docs/architecture.md)."""

import logging
import sys
from typing import Annotated, Protocol

import orjson
import typer

from bot.settings import InsecureSettings, get_settings
from models import Role

app = typer.Typer(help="Kentongan: SMS and WhatsApp service for Indonesian villages.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")


def _configure_logging() -> None:
    logging.basicConfig(
        level=get_settings().log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # APScheduler logs every job it adds, runs and removes; kentongan.scheduler logs what each firing did.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    from bot.logs import mask_numbers_in_logs

    mask_numbers_in_logs()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="API worker processes (PostgreSQL only for >1)")] = 1,
    no_dispatcher: Annotated[bool, typer.Option("--no-dispatcher", help="Run no dispatcher here")] = False,
    no_scheduler: Annotated[bool, typer.Option("--no-scheduler", help="Run no scheduler here")] = False,
) -> None:
    """Serve the API and webhooks, with the dispatcher (and scheduler) in the same process."""
    import os

    import uvicorn

    if no_dispatcher:
        os.environ["KENTONGAN_RUN_DISPATCHER"] = "false"
    if no_scheduler:
        os.environ["KENTONGAN_RUN_SCHEDULER"] = "false"
    get_settings.cache_clear()
    if workers > 1 and get_settings().database_url.startswith("sqlite"):
        typer.echo("error: several workers need PostgreSQL (SQLite has one writer)", err=True)
        raise typer.Exit(2)
    _configure_logging()
    uvicorn.run("bot.main:app", host=host, port=port, workers=workers, log_level="info", proxy_headers=True)


class _Service(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


def _run_until_signalled(service: _Service) -> None:
    """Start `service`, run until SIGTERM or SIGINT, then stop it cleanly."""
    import asyncio
    import signal

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await service.start()
        await stop.wait()
        await service.stop()

    asyncio.run(main())


@app.command()
def dispatcher() -> None:
    """Run only the dispatcher (a scaled deployment runs several on PostgreSQL)."""
    from bot.db import make_engine
    from bot.delivery import DeliveryService

    _configure_logging()
    settings = get_settings()
    _run_until_signalled(DeliveryService(make_engine(settings.database_url), settings))


@app.command()
def scheduler() -> None:
    """Run only the scheduler (one per deployment: on PostgreSQL a standby waits for the leader lock)."""
    from bot.db import make_engine
    from bot.scheduling import SchedulingService

    _configure_logging()
    settings = get_settings()
    _run_until_signalled(SchedulingService(make_engine(settings.database_url), settings))


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Apply migrations to the configured database."""
    from bot.db import upgrade

    upgrade(get_settings().database_url, revision)
    typer.echo(f"database at {revision}")


@db_app.command("revision")
def db_revision(message: Annotated[str, typer.Option("-m", "--message", help="Why")]) -> None:
    """Autogenerate a migration from the models (developers)."""
    from alembic import command

    from bot.db import alembic_config

    command.revision(alembic_config(get_settings().database_url), message=message, autogenerate=True)


@app.command()
def demo(
    if_empty: Annotated[bool, typer.Option(help="Seed only when the database has no village")] = False,
) -> None:
    """Seed the demo village Desa Sukamaju (idempotent)."""
    from sqlmodel import select

    from bot.db import make_engine, transaction
    from bot.demo import DEMO_STAFF_PIN, STAFF, seed
    from models import Village, utcnow

    engine = make_engine(get_settings().database_url)
    with transaction(engine) as session:
        if if_empty and session.exec(select(Village.id)).first() is not None:
            typer.echo("villages exist; demo not seeded")
            return
        token = seed(session=session, now=utcnow(), staff_pin=DEMO_STAFF_PIN)
    if token is None:
        typer.echo("demo village DEMO already exists (create a token with `kentongan token create`)")
        return
    typer.echo("demo village DEMO (Desa Sukamaju) seeded; it answers on +62800000001")
    phones = ", ".join(f"{role.value} {phone}" for _, role, phone in STAFF)
    typer.echo(f"staff text commands from {phones} with PIN {DEMO_STAFF_PIN} (text STAF for the menu)")
    typer.echo(f"kader API token (shown once): {token}")  # last, so scripts can take the last word


@app.command()
def parse(
    text: Annotated[str, typer.Argument(help="The message, or - to read one message per stdin line")],
    json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Explain how a message is understood."""
    from handlers.understand import understand

    if text == "-":
        out = sys.stdout.buffer
        dumps, buffer = orjson.dumps, []
        for line in sys.stdin.buffer:
            buffer.append(dumps(understand(line.decode("utf-8", "replace").rstrip("\r\n")).as_dict()))
            if len(buffer) >= 1024:
                out.write(b"\n".join(buffer) + b"\n")
                buffer.clear()
        if buffer:
            out.write(b"\n".join(buffer) + b"\n")
        out.flush()
        return
    result = understand(text).as_dict()
    if json:
        typer.echo(orjson.dumps(result).decode())
        return
    for key, value in result.items():
        typer.echo(f"{key:>11}: {value}")


@token_app.command("create")
def token_create(
    role: Annotated[Role, typer.Option(help="operator, kader, kades or bpd")],
    name: Annotated[str, typer.Option(help="Who holds it")],
    village: Annotated[str | None, typer.Option(help="Village code (not for operator)")] = None,
) -> None:
    """Print a new API token once."""
    from bot.auth import create_token
    from bot.db import make_engine, transaction
    from models.errors import KentonganError

    engine = make_engine(get_settings().database_url)
    try:
        with transaction(engine) as session:
            token = create_token(session=session, village_code=village, role=role, name=name)
    except KentonganError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from error
    typer.echo(token)


@token_app.command("revoke")
def token_revoke(token: Annotated[str, typer.Argument(help="The token to revoke")]) -> None:
    """Revoke an API token at once."""
    from bot.auth import revoke_token
    from bot.db import make_engine, transaction
    from models import utcnow

    engine = make_engine(get_settings().database_url)
    with transaction(engine) as session:
        revoked = revoke_token(session=session, token=token, now=utcnow())
    if not revoked:
        typer.echo("error: no such token, or it was already revoked", err=True)
        raise typer.Exit(2)
    typer.echo("token revoked")


def main() -> None:
    """Entry point of the `kentongan` script."""
    try:
        app()
    except InsecureSettings as error:  # a refusal to start, not a crash: its reason, no traceback
        typer.echo(f"error: {error}", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
