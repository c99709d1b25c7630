from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_billing')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Profile',
            name='version',
            field=fields.BigIntField(default=0),
        ),
    ]
