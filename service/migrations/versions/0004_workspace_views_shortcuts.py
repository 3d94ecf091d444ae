"""Who is looking at which comment in the workspace; a user's switch for single-letter keys.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create comment_views; add users.shortcuts (on for everyone)."""
    op.create_table(
        "comment_views",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.String(length=128), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_comment_views_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], name=op.f("fk_comment_views_comment_id_comments"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_comment_views")),
    )
    op.create_index(op.f("ix_comment_views_comment_id"), "comment_views", ["comment_id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("shortcuts", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("users") as batch:
        batch.drop_column("shortcuts")
    op.drop_table("comment_views")
