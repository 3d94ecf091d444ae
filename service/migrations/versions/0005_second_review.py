"""A review may send a comment to the second-review queue ("possibly illegal") instead of deciding it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _allow(decisions: str) -> None:
    """Replace the check on reviews.decision (SQLite rebuilds the table for it)."""
    with op.batch_alter_table("reviews") as batch:
        batch.drop_constraint(op.f("ck_reviews_decision"), type_="check")
        batch.create_check_constraint(op.f("ck_reviews_decision"), f"decision IN ({decisions})")


def upgrade() -> None:
    """Allow reviews.decision 'second_review'."""
    _allow("'approve', 'reject', 'second_review'")


def downgrade() -> None:
    """Back to decisions only; second-review marks are deleted first, as that schema has none."""
    op.execute("DELETE FROM reviews WHERE decision = 'second_review'")
    _allow("'approve', 'reject'")
