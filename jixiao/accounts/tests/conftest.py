from jixiao.collection.tests.conftest import world  # noqa: F401  (shared fixture)
