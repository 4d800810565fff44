"""The plugin's first tables: pgp_mailinglist, pgp_address, pgp_sighash.

Revision ID: a1f0c3d2e4b5
Revises:
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa
from mailman.database.types import Enum, SAUnicode
from mailman.interfaces.action import Action


revision = 'a1f0c3d2e4b5'
down_revision = None
branch_labels = None
depends_on = None

ACTIONS = ('unsigned_msg_action', 'inline_pgp_action', 'expired_sig_action',
           'revoked_sig_action', 'invalid_sig_action', 'duplicate_sig_action',
           'nonencrypted_msg_action')


def upgrade():
    columns = [sa.Column('id', sa.Integer, primary_key=True),
               sa.Column('list_id', SAUnicode, nullable=False)]
    columns += [sa.Column(name, Enum(Action), nullable=False)
                for name in ACTIONS]
    columns += [sa.Column(name, sa.Boolean, nullable=False)
                for name in ('strip_original_sig', 'sign_outgoing',
                             'encrypt_outgoing', 'moderate_keys')]
    columns += [sa.Column('key_change_workflow', SAUnicode, nullable=False),
                # Role names, as the model's RoleSet writes them; the
                # scripts never import the model, which every process
                # would then load when it checks the schema at start-up.
                sa.Column('key_signing_allowed', SAUnicode, nullable=False),
                sa.Column('delivery_mode', SAUnicode, nullable=False),
                sa.Column('outer_subject', SAUnicode, nullable=False)]
    op.create_table('pgp_mailinglist', *columns)
    op.create_index('ix_pgp_mailinglist_list_id', 'pgp_mailinglist',
                    ['list_id'], unique=True)
    op.create_table(
        'pgp_address',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('email', SAUnicode, nullable=False),
        sa.Column('key_fingerprint', sa.String(64)),
        sa.Column('key_confirmed', sa.Boolean, nullable=False))
    op.create_index('ix_pgp_address_email', 'pgp_address', ['email'],
                    unique=True)
    op.create_table(
        'pgp_sighash',
        sa.Column('hash', sa.String(128), primary_key=True),
        sa.Column('fingerprint', sa.String(64), nullable=False),
        sa.Column('created_at', sa.DateTime, nullable=False))
    op.create_index('ix_pgp_sighash_fingerprint', 'pgp_sighash',
                    ['fingerprint'])


def downgrade():
    op.drop_table('pgp_sighash')
    op.drop_table('pgp_address')
    op.drop_table('pgp_mailinglist')
