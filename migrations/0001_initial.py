from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from domain.models.ledger import LedgerKind
from domain.models.program import TierBasis
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Program',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=200)),
                ('currency', fields.CharField(default='EUR', max_length=3)),
                ('time_zone', fields.CharField(default='UTC', max_length=64)),
                ('points_per_currency_unit', fields.IntField(default=1)),
                ('points_expiry_months', fields.IntField(default=12)),
                ('pending_days', fields.IntField(default=0)),
                ('tier_basis', fields.CharEnumField(default=TierBasis.POINTS, description='POINTS: points\nSPEND: spend', enum_type=TierBasis, max_length=16)),
                ('tier_window_months', fields.IntField(default=12)),
                ('tier_review_months', fields.IntField(default=12)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'program', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('program', fields.ForeignKeyField('models.Program', source_field='program_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('actor', fields.CharField(max_length=200)),
                ('action', fields.CharField(max_length=64)),
                ('target', fields.CharField(max_length=200)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'audit_entry', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IdempotencyRecord',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('program', fields.ForeignKeyField('models.Program', source_field='program_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=200)),
                ('operation', fields.CharField(max_length=64)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('result', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'idempotency_record', 'app': 'models', 'unique_together': (('program', 'key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Tier',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('program', fields.ForeignKeyField('models.Program', source_field='program_id', db_constraint=True, to_field='id', related_name='tiers', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('threshold', fields.BigIntField()),
                ('earn_multiplier', fields.DecimalField(default=1, max_digits=6, decimal_places=2)),
                ('benefits', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tier', 'app': 'models', 'unique_together': (('program', 'name'), ('program', 'threshold')), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Member',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('program', fields.ForeignKeyField('models.Program', source_field='program_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('external_id', fields.CharField(max_length=128)),
                ('display_name', fields.CharField(max_length=200)),
                ('birthday', fields.DateField(null=True)),
                ('locale', fields.CharField(default='en', max_length=35)),
                ('time_zone', fields.CharField(default='UTC', max_length=64)),
                ('referral_code', fields.CharField(unique=True, max_length=16)),
                ('enrolled_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('tier', fields.ForeignKeyField('models.Tier', source_field='tier_id', null=True, db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.SET_NULL)),
                ('tier_review_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('points_balance', fields.BigIntField(default=0)),
                ('lifetime_earned', fields.BigIntField(default=0)),
            ],
            options={'table': 'member', 'app': 'models', 'unique_together': (('program', 'external_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Purchase',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('program', fields.ForeignKeyField('models.Program', source_field='program_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='purchases', on_delete=OnDelete.CASCADE)),
                ('amount', fields.BigIntField()),
                ('currency', fields.CharField(max_length=3)),
                ('channel', fields.CharField(max_length=32)),
                ('items', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('points_earned', fields.BigIntField()),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reversed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'purchase', 'app': 'models', 'indexes': [Index(fields=['member_id', 'occurred_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LedgerEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('program', fields.ForeignKeyField('models.Program', source_field='program_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='ledger_entries', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='EARN: earn\nREDEEM: redeem\nEXPIRE: expire\nREVERSE: reverse\nADJUST: adjust', enum_type=LedgerKind, max_length=16)),
                ('points', fields.BigIntField()),
                ('reason', fields.CharField(max_length=500)),
                ('purchase', fields.ForeignKeyField('models.Purchase', source_field='purchase_id', null=True, db_constraint=True, to_field='id', related_name='ledger_entries', on_delete=OnDelete.CASCADE)),
                ('actor', fields.CharField(null=True, max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ledger_entry', 'app': 'models', 'indexes': [Index(fields=['member_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EarnLot',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='earn_lots', on_delete=OnDelete.CASCADE)),
                ('entry', fields.OneToOneField('models.LedgerEntry', source_field='entry_id', db_constraint=True, to_field='id', related_name='lot', on_delete=OnDelete.CASCADE)),
                ('points', fields.BigIntField()),
                ('remaining', fields.BigIntField()),
                ('earned_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('available_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'earn_lot', 'app': 'models', 'indexes': [Index(fields=['member_id', 'expires_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TierChange',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='tier_changes', on_delete=OnDelete.CASCADE)),
                ('from_tier', fields.ForeignKeyField('models.Tier', source_field='from_tier_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('to_tier', fields.ForeignKeyField('models.Tier', source_field='to_tier_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('reason', fields.CharField(max_length=32)),
                ('qualifying_value', fields.BigIntField()),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'tier_change', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
