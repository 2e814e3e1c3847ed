"""A throwaway support category, installed only at run time by tests/cases/test_registry.py to
show that a new kind plugs into the core without any change to cases/. It has no migrations: the
test creates and drops its table with the schema editor. Never add it to INSTALLED_APPS."""
