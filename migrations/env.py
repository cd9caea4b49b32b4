"""Alembic environment: the URL comes from bot.storage.database (DATABASE_URL), never from a file."""
from alembic import context
from sqlalchemy import create_engine

from bot.storage.schema import metadata

config = context.config


def run_migrations_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"), future=True)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
