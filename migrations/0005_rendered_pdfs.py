from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_llm_config')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RenderedPdf',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('content_hash', fields.CharField(max_length=64)),
                ('theme', fields.CharField(max_length=32)),
                ('data', fields.BinaryField()),
                ('size', fields.IntField()),
                ('pages', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'rendered_pdfs', 'app': 'models', 'unique_together': (('organization', 'content_hash'),), 'pk_attr': 'id', 'table_description': 'A rendered PDF, reused whenever the same content hash is asked for again.'},
            bases=['Model'],
        ),
    ]
