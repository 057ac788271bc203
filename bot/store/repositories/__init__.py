"""The repositories: all of the project's SQL, one module per feature (DESIGN.md "The store").

A repository is built from the ``db`` its service is given (``DialogueRepository(db)``) and returns rows
or the feature's values; services hold no SQL. A repository never spans service steps with a
transaction of its own: a service wraps several calls in ``async with db.transaction():`` and, because a
transaction belongs to the task that opened it, every repository call of that task joins it.

SQL here is portable (SQLite and PostgreSQL): ``?`` placeholders, ``INSERT … RETURNING id``,
``ON CONFLICT``; where the dialects differ a repository branches on ``db.dialect``.
"""
