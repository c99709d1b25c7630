from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0008_agents_jobs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Conversation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('profile', fields.ForeignKeyField('models.Profile', source_field='profile_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('token', fields.CharField(unique=True, max_length=64)),
                ('visitor_hash', fields.CharField(max_length=64)),
                ('question_count', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'chat_conversations', 'app': 'models', 'indexes': [Index(fields=['organization_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChatMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('conversation', fields.ForeignKeyField('models.Conversation', source_field='conversation_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('question', fields.TextField(unique=False)),
                ('answer', fields.TextField(unique=False)),
                ('answered', fields.BooleanField()),
                ('citations', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('engine', fields.CharField(default='offline', max_length=16)),
                ('removed', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'chat_messages', 'app': 'models', 'indexes': [Index(fields=['organization_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProfileChunk',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('profile', fields.ForeignKeyField('models.Profile', source_field='profile_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField(default=0)),
                ('section', fields.CharField(max_length=32)),
                ('entry_id', fields.IntField(null=True)),
                ('visibility', fields.CharField(max_length=32)),
                ('text', fields.TextField(unique=False)),
                ('tokens', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('vector', fields.BinaryField()),
                ('dim', fields.IntField()),
                ('engine', fields.CharField(max_length=16)),
                ('model', fields.CharField(max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'profile_chunks', 'app': 'models', 'indexes': [Index(fields=['profile_id', 'position'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProfileIndex',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('profile', fields.OneToOneField('models.Profile', source_field='profile_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('state', fields.CharField(default='IDLE', max_length=16)),
                ('stage', fields.CharField(default='', max_length=32)),
                ('progress', fields.IntField(default=0)),
                ('indexed_chunks', fields.IntField(default=0)),
                ('total_chunks', fields.IntField(default=0)),
                ('engine', fields.CharField(default='', max_length=16)),
                ('model', fields.CharField(default='', max_length=100)),
                ('dirty_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('last_indexed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('error_code', fields.CharField(null=True, max_length=40)),
                ('error_message', fields.CharField(null=True, max_length=500)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'profile_indexes', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The indexing state of one profile (IDLE, QUEUED, INDEXING, READY, FAILED).'},
            bases=['Model'],
        ),
    ]
