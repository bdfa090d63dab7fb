"""requirements.recert_window_days: a renewal's recertification window opens this many days before expiry

Revision ID: d7a9c1e3f5b7
Revises: b4d6f8a0c2e1
Create Date: 2026-12-04 20:05:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd7a9c1e3f5b7'
down_revision = 'b4d6f8a0c2e1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("requirements") as batch:
        batch.add_column(sa.Column("recert_window_days", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("requirements") as batch:
        batch.drop_column("recert_window_days")
