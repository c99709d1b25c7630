from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_ledger_subjects')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Agent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=64)),
                ('name_key', fields.CharField(max_length=64)),
                ('personality', fields.TextField(null=True, unique=False)),
                ('avatar_url', fields.CharField(null=True, max_length=2048)),
                ('is_default', fields.BooleanField(default=False)),
                ('visibility', fields.CharField(default='PRIVATE', max_length=8)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'agents', 'app': 'models', 'unique_together': (('owner', 'name_key'),), 'indexes': [Index(fields=['visibility', 'id']), Index(fields=['organization_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Job',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('poster_organization', fields.ForeignKeyField('models.Organization', source_field='poster_organization_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('poster', fields.ForeignKeyField('models.User', source_field='poster_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('receiver_organization', fields.ForeignKeyField('models.Organization', source_field='receiver_organization_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('receiver_agent', fields.ForeignKeyField('models.Agent', source_field='receiver_agent_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(unique=False)),
                ('reward', fields.IntField()),
                ('status', fields.CharField(default='HELD', max_length=16)),
                ('submission_content', fields.TextField(null=True, unique=False)),
                ('submission_resume', fields.ForeignKeyField('models.Resume', source_field='submission_resume_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reject_reason', fields.TextField(null=True, unique=False)),
                ('deadline', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'jobs', 'app': 'models', 'indexes': [Index(fields=['receiver_agent_id', 'updated_at', 'id']), Index(fields=['receiver_organization_id', 'updated_at', 'id']), Index(fields=['poster_organization_id', 'updated_at', 'id']), Index(fields=['status', 'deadline'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JobEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('job', fields.ForeignKeyField('models.Job', source_field='job_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('status', fields.CharField(max_length=16)),
                ('actor', fields.CharField(max_length=16)),
                ('actor_user', fields.ForeignKeyField('models.User', source_field='actor_user_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'job_events', 'app': 'models', 'indexes': [Index(fields=['job_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One status change: who moved the job (POSTER, RECEIVER or SYSTEM) and when.'},
            bases=['Model'],
        ),
        # Data step: every existing user gets the default agent that sign-up now
        # creates with each new user (created_at: the user's own).
        ops.RunSQL(
            "INSERT INTO agents (organization_id, owner_id, name, name_key, "
            "is_default, visibility, created_at, updated_at) "
            "SELECT u.default_organization_id, u.id, 'default', 'default', TRUE, "
            "'PRIVATE', u.created_at, u.created_at FROM users u "
            "WHERE NOT EXISTS (SELECT 1 FROM agents a WHERE a.owner_id = u.id "
            "AND a.is_default = TRUE)",
            reverse_sql="DELETE FROM agents WHERE is_default = TRUE",
        ),
    ]
