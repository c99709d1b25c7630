from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_rendered_pdfs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Letter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('resume', fields.ForeignKeyField('models.Resume', source_field='resume_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('content', fields.TextField(default='', unique=False)),
                ('subject', fields.CharField(default='', max_length=200)),
                ('job_description', fields.TextField(default='', unique=False)),
                ('company', fields.CharField(default='', max_length=200)),
                ('job_title', fields.CharField(default='', max_length=200)),
                ('language', fields.CharField(default='en', max_length=35)),
                ('engine', fields.CharField(default='', max_length=32)),
                ('removed', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('warnings', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'letters', 'app': 'models', 'indexes': [Index(fields=['resume_id', 'kind', 'id'])], 'pk_attr': 'id', 'table_description': 'A cover letter or outreach message written for one resume and one job.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TailorUsage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('month', fields.CharField(max_length=7)),
                ('count', fields.IntField(default=0)),
            ],
            options={'table': 'tailor_usage', 'app': 'models', 'unique_together': (('organization', 'month'),), 'pk_attr': 'id', 'table_description': 'Tailoring calls of an organization in one calendar month (UTC), counted'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Resume',
            name='generate_pdf',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='Resume',
            name='job_description',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Resume',
            name='job_keywords',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Resume',
            name='output_language',
            field=fields.CharField(null=True, max_length=35),
        ),
        ops.AddField(
            model_name='Resume',
            name='pdf_hash',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Resume',
            name='refinement',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Resume',
            name='strategy',
            field=fields.CharField(null=True, max_length=16),
        ),
    ]
