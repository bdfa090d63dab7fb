"""training sessions and their enrolments (issue 15, item 2)

Revision ID: c4e8a2d6f0b3
Revises: a9c3e5f7b1d2
Create Date: 2026-12-04 19:30:00
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4e8a2d6f0b3'
down_revision = 'a9c3e5f7b1d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'training_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('starts_at', sa.Time(), nullable=False),
        sa.Column('ends_at', sa.Time(), nullable=False),
        sa.Column('location', sa.String(length=300), nullable=True),
        sa.Column('online_url', sa.String(length=500), nullable=True),
        sa.Column('instructor', sa.String(length=200), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=False),
        sa.Column('hours', sa.Float(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('cancel_reason', sa.Text(), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_by_user_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('scheduled', 'cancelled', 'closed')",
                           name=op.f('ck_training_sessions_status')),
        sa.CheckConstraint('capacity > 0 AND capacity <= 500', name=op.f('ck_training_sessions_capacity_range')),
        sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_training_sessions_ends_after_start')),
        sa.CheckConstraint('hours IS NULL OR (hours > 0 AND hours <= 200)',
                           name=op.f('ck_training_sessions_hours_range')),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_training_sessions_course_id_courses')),
        sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], ondelete='SET NULL',
                                name=op.f('fk_training_sessions_created_by_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sessions')),
    )
    op.create_index('ix_training_sessions_course_day', 'training_sessions', ['course_id', 'held_on'])
    op.create_index(op.f('ix_training_sessions_held_on'), 'training_sessions', ['held_on'])
    op.create_table(
        'session_enrolments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('enrolled_on', sa.Date(), nullable=False),
        sa.Column('enrolled_by_user_id', sa.Integer(), nullable=True),
        sa.Column('attended', sa.Boolean(), nullable=True),
        sa.Column('certificate_number', sa.String(length=100), nullable=True),
        sa.Column('completion_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], ondelete='CASCADE',
                                name=op.f('fk_session_enrolments_session_id_training_sessions')),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE',
                                name=op.f('fk_session_enrolments_person_id_people')),
        sa.ForeignKeyConstraint(['enrolled_by_user_id'], ['users.id'], ondelete='SET NULL',
                                name=op.f('fk_session_enrolments_enrolled_by_user_id_users')),
        sa.ForeignKeyConstraint(['completion_id'], ['completions.id'], ondelete='SET NULL',
                                name=op.f('fk_session_enrolments_completion_id_completions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_session_enrolments')),
        sa.UniqueConstraint('session_id', 'person_id', name=op.f('uq_session_enrolments_seat')),
    )
    op.create_index(op.f('ix_session_enrolments_person_id'), 'session_enrolments', ['person_id'])


def downgrade():
    op.drop_index(op.f('ix_session_enrolments_person_id'), table_name='session_enrolments')
    op.drop_table('session_enrolments')
    op.drop_index(op.f('ix_training_sessions_held_on'), table_name='training_sessions')
    op.drop_index('ix_training_sessions_course_day', table_name='training_sessions')
    op.drop_table('training_sessions')
