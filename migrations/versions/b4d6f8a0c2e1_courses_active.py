"""courses.active: a retired course keeps its history and requirements and is offered for nothing new

Revision ID: b4d6f8a0c2e1
Revises: c4e8a2d6f0b3
Create Date: 2026-12-04 19:30:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b4d6f8a0c2e1'
down_revision = 'c4e8a2d6f0b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("courses") as batch:
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    with op.batch_alter_table("courses") as batch:
        batch.drop_column("active")
