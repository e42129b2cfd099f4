"""Alembic environment: migrates the URL given in the config, against the models' metadata."""

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table)
from models.base import EnumText


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Enum columns are plain strings in the database; migrations need not import the enums."""
    if type_ == "type" and isinstance(obj, EnumText):
        return f"sa.String(length={obj.impl_instance.length})"  # type: ignore[attr-defined]
    return False


# Tables other libraries own in our database: APScheduler's job store creates and keeps its own.
FOREIGN_TABLES = frozenset({"apscheduler_job"})


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave tables we do not own out of autogenerate."""
    return not (type_ == "table" and name in FOREIGN_TABLES)


config = context.config
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = engine_from_config(
            config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
        )
        with connectable.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
