"""A moderator's decision carries its own statement of reasons.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

Once a person decided, the commenter must no longer be told that the decision was automatic.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add reviews.statement_of_reasons (empty for decisions recorded before)."""
    op.add_column("reviews", sa.Column("statement_of_reasons", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop reviews.statement_of_reasons."""
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("statement_of_reasons")
