from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_resumes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LlmConfig',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.OneToOneField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('provider', fields.CharField(default='offline', max_length=16)),
                ('model', fields.CharField(default='', max_length=100)),
                ('api_key_encrypted', fields.TextField(default='', unique=False)),
                ('api_key_last_four', fields.CharField(default='', max_length=4)),
                ('api_base', fields.CharField(default='', max_length=500)),
                ('reasoning_effort', fields.CharField(default='', max_length=16)),
                ('enable_cover_letter', fields.BooleanField(default=True)),
                ('enable_outreach', fields.BooleanField(default=True)),
                ('content_language', fields.CharField(default='en', max_length=35)),
                ('default_strategy', fields.CharField(default='NUDGE', max_length=16)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'llm_configs', 'app': 'models', 'pk_attr': 'id', 'table_description': "An organization's model settings. The API key is stored encrypted."},
            bases=['Model'],
        ),
    ]
