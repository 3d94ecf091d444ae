"""comments.spot_sample: which automatic decisions the workspace's spot-check queue lists.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# The app's own function: the stored samples must be what intake computes for new comments.
from service.storage.models import spot_sample

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_comments = sa.table("comments", sa.column("id", sa.String), sa.column("spot_sample", sa.Double))


def upgrade() -> None:
    """Add comments.spot_sample, filled in for the comments there are (from their ids)."""
    op.add_column("comments", sa.Column("spot_sample", sa.Double(), nullable=True))
    connection = op.get_bind()
    ids = connection.scalars(sa.select(_comments.c.id)).all()
    if ids:
        connection.execute(
            _comments.update().where(_comments.c.id == sa.bindparam("comment_id")),
            [{"comment_id": comment_id, "spot_sample": spot_sample(comment_id)} for comment_id in ids],
        )
    with op.batch_alter_table("comments") as batch:
        batch.alter_column("spot_sample", existing_type=sa.Double(), nullable=False)
    op.create_index(op.f("ix_comments_spot_sample"), "comments", ["spot_sample"])


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_index(op.f("ix_comments_spot_sample"), table_name="comments")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("spot_sample")
