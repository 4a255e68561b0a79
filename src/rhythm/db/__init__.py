"""Generated query packages, one per context: never edited by hand (`make generate`)."""
