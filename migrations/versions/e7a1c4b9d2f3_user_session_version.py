"""users.session_version (raising it ends every session); users.locked_until dropped (no account lock)

Revision ID: e7a1c4b9d2f3
Revises: d3f8a6c1b2e4
Create Date: 2026-12-02 07:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7a1c4b9d2f3'
down_revision = 'd3f8a6c1b2e4'
branch_labels = None
depends_on = None


# Existing accounts start at 0; their sessions, whose cookies hold the id alone, end at once
# (the cookie's id no longer has the "id.version" form), so everyone signs in again after the upgrade.


# An account lock let anyone lock anyone out with wrong passwords; failures are throttled per client and
# email instead (tracker/api/limits.py), so the lock's column goes, with any lock in force.


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('locked_until')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_column('session_version')
