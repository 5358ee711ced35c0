from jixiao.collection.tests.conftest import World, world  # noqa: F401  (shared fixture)
