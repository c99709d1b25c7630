from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0009_indexing_chat')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BillingAccount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.OneToOneField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name='billing', on_delete=OnDelete.CASCADE)),
                ('stripe_customer_id', fields.CharField(null=True, unique=True, max_length=255)),
                ('subscription_id', fields.CharField(null=True, max_length=255)),
                ('subscription_plan', fields.CharField(default='', max_length=32)),
                ('subscription_status', fields.CharField(default='', max_length=32)),
                ('cadence', fields.CharField(default='', max_length=16)),
                ('current_period_end', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cancel_at_period_end', fields.BooleanField(default=False)),
                ('grace_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('manual_source', fields.CharField(default='manual', max_length=16)),
                ('manual_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('rate_limit_override', fields.IntField(null=True)),
                ('tailor_quota_override', fields.IntField(null=True)),
                ('waitlist_plan', fields.CharField(null=True, max_length=32)),
                ('waitlist_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'billing_accounts', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One per organization (created on first need): its Stripe customer and'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CreditPurchase',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('session_id', fields.CharField(unique=True, max_length=255)),
                ('credits', fields.IntField()),
                ('amount_cents', fields.IntField()),
                ('currency', fields.CharField(max_length=3)),
                ('status', fields.CharField(default='pending', max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('paid_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'credit_purchases', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A credit pack bought through Checkout (payment mode), paid once.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Payout',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('credits', fields.IntField()),
                ('amount_cents', fields.IntField()),
                ('currency', fields.CharField(max_length=3)),
                ('destination', fields.CharField(max_length=255)),
                ('transfer_id', fields.CharField(null=True, unique=True, max_length=255)),
                ('status', fields.CharField(default='pending', max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'payouts', 'app': 'models', 'indexes': [Index(fields=['organization_id', 'id'])], 'pk_attr': 'id', 'table_description': 'Earned credits transferred to the Stripe Connect account of a user.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StripeEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_id', fields.CharField(unique=True, max_length=255)),
                ('type', fields.CharField(max_length=100)),
                ('object_id', fields.CharField(default='', max_length=255)),
                ('created', fields.BigIntField()),
                ('payload', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharField(default='received', max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('error', fields.TextField(default='', unique=False)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('applied_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'stripe_events', 'app': 'models', 'indexes': [Index(fields=['object_id', 'created']), Index(fields=['status', 'received_at'])], 'pk_attr': 'id', 'table_description': 'A verified webhook event, stored by its Stripe id so it is applied once.'},
            bases=['Model'],
        ),
    ]
