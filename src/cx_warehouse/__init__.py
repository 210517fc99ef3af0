"""CX warehouse: the Python side of the dbt project (data generator, command line, Python-model logic)."""
