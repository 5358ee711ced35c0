"""Create the database cache table (embedded default: no Redis) as part of `migrate`.

The login throttle counts in the cache; without Redis that cache is a database table
shared by every worker (see accounts/throttle_cache.py). Making it here means no
deployment can forget `createcachetable`. It does nothing when the cache is Redis.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_version")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
