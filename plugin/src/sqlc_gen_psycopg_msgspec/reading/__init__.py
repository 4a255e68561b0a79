"""Reading what sqlc hands the plugin: the request, the plugin options, the catalog."""
