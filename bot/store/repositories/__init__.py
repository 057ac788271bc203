"""The repositories: all of the project's SQL, one module per feature (DESIGN.md "The store").

A repository is built from the ``db`` its service is given and returns rows or the feature's values;
services hold no SQL.
"""
