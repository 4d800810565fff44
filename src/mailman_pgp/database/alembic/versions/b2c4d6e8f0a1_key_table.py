"""pgp_key: keys in the database, for sites with several hosts.

Revision ID: b2c4d6e8f0a1
Revises: a1f0c3d2e4b5
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa
from mailman.database.types import SAUnicode


revision = 'b2c4d6e8f0a1'
down_revision = 'a1f0c3d2e4b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pgp_key',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('name', SAUnicode, nullable=False),
        sa.Column('fingerprint', sa.String(64), nullable=False),
        sa.Column('armor', sa.Text, nullable=False),
        sa.Column('updated_at', sa.DateTime, nullable=False),
        sa.UniqueConstraint('kind', 'name', name='uq_pgp_key_kind_name'))


def downgrade():
    op.drop_table('pgp_key')
