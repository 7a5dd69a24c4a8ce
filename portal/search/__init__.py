"""Search: Swedish analysis (`analysis`) and the Whoosh index with its queries
(`engine`). Neither imports Flask or the database; the app's glue lives in the
other modules of this package."""
