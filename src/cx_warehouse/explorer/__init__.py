"""The analysts' explorer: a Streamlit app (app.py, `cxw explore`) over the marts of a built warehouse file,
opened read-only; its queries are the plain functions of marts.py."""

#: The environment variable naming the warehouse file the app opens (set by `cxw explore`).
DATABASE_VARIABLE = "CXW_EXPLORER_DATABASE"
