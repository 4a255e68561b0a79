"""rhythm-backend: the rhythm game service (auth, users, rooms) on a SQL-first toolkit."""
