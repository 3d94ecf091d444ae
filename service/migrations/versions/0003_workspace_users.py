"""The workspace's users and failed log-ins; reviews by users, with an overrule reason.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04

A decision is now taken with an API key or by a user logged in to the workspace, so
``reviews.api_key_id`` may be empty and ``reviews.user_id`` names the user.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create users and login_failures; add reviews.user_id and reviews.overrule_reason."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('moderator', 'admin')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    for column in ("username", "address", "failed_at"):
        op.create_index(op.f(f"ix_login_failures_{column}"), "login_failures", [column])
    with op.batch_alter_table("reviews") as batch:
        batch.alter_column("api_key_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("overrule_reason", sa.String(length=32), nullable=True))
        batch.create_foreign_key(op.f("fk_reviews_user_id_users"), "users", ["user_id"], ["id"])


def downgrade() -> None:
    """Drop what upgrade added (reviews by users lose who decided them)."""
    op.execute("DELETE FROM reviews WHERE api_key_id IS NULL")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_constraint(op.f("fk_reviews_user_id_users"), type_="foreignkey")
        batch.drop_column("overrule_reason")
        batch.drop_column("user_id")
        batch.alter_column("api_key_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("login_failures")
    op.drop_table("users")
