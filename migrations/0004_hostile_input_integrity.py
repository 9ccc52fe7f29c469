from tortoise import migrations
from tortoise.migrations import operations as ops
from datetime import datetime, timedelta

from tortoise import fields


async def cancel_deadlines(apps, schema_editor) -> None:
    """Redemptions made before `cancel_until` existed keep the window they were given:
    the program's `redemption_cancel_minutes` at the time of this migration."""
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    _, rows = await client.execute_query(
        "SELECT r.id, r.created_at, p.redemption_cancel_minutes FROM redemption r"
        " JOIN program p ON p.id = r.program_id"
        " WHERE r.status = 'redeemed' AND r.cancel_until IS NULL")
    update = "UPDATE redemption SET cancel_until = $1 WHERE id = $2" if postgres else \
        "UPDATE redemption SET cancel_until = ? WHERE id = ?"
    for row in rows:
        created = row["created_at"]
        created = created if isinstance(created, datetime) else datetime.fromisoformat(created)
        until = created + timedelta(minutes=int(row["redemption_cancel_minutes"]))
        await client.execute_query(update, [until if postgres else until.isoformat(" "), row["id"]])

class Migration(migrations.Migration):
    dependencies = [('models', '0003_rewards_campaigns_segments')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BoardRefreshRequest',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('program_id', fields.IntField()),
                ('member_id', fields.CharField(null=True, max_length=36)),
                ('requested_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'board_refresh_request', 'app': 'models', 'pk_attr': 'id', 'table_description': "Boards a process without the server Redis changed (a `loyalty` command next to a"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ChallengeProgress',
            name='rewarded_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='CommunityProgress',
            name='settled_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Program',
            name='max_backdating_days',
            field=fields.IntField(default=30, db_default=30),
        ),
        ops.AddField(
            model_name='Redemption',
            name='cancel_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunPython(cancel_deadlines, ops.RunPython.noop),
    ]
