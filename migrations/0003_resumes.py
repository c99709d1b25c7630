from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_profiles_files')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Resume',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('parent', fields.ForeignKeyField('models.Resume', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('title', fields.CharField(default='', max_length=200)),
                ('filename', fields.CharField(default='', max_length=255)),
                ('kind', fields.CharField(default='', max_length=16)),
                ('size', fields.IntField(default=0)),
                ('sha256', fields.CharField(null=True, max_length=64)),
                ('source', fields.BinaryField(null=True)),
                ('status', fields.CharField(default='PROCESSING', max_length=16)),
                ('stage', fields.CharField(default='received', max_length=32)),
                ('progress', fields.IntField(default=0)),
                ('error_code', fields.CharField(null=True, max_length=40)),
                ('error_message', fields.CharField(null=True, max_length=500)),
                ('engine', fields.CharField(default='', max_length=32)),
                ('warnings', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('text', fields.TextField(default='', unique=False)),
                ('structured_data', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('is_master', fields.BooleanField(default=False)),
                ('tags', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('locale', fields.CharField(default='en', max_length=35)),
                ('charged', fields.BooleanField(default=False)),
                ('refunded', fields.BooleanField(default=False)),
                ('attempts', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'resumes', 'app': 'models', 'unique_together': (('organization', 'sha256'),), 'indexes': [Index(fields=['organization_id', 'updated_at']), Index(fields=['status', 'updated_at'])], 'pk_attr': 'id', 'table_description': 'One resume of an organization. An upload keeps its original bytes so a'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ImportPreview',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('resume', fields.ForeignKeyField('models.Resume', source_field='resume_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('plan', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('committed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'import_previews', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What an import would add, change or leave, kept until committed or expired.'},
            bases=['Model'],
        ),
    ]
