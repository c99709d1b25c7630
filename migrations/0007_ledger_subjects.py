from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_tailoring')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CreditEntry',
            name='subject',
            field=fields.CharField(default='', max_length=64),
        ),
        ops.AddField(
            model_name='User',
            name='avatar_url',
            field=fields.CharField(null=True, max_length=2048),
        ),
        ops.AddField(
            model_name='User',
            name='stripe_account_id',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='User',
            name='stripe_account_status',
            field=fields.CharField(default='none', max_length=16),
        ),
    ]
