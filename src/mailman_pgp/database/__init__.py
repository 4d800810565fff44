"""Creating and migrating the plugin's tables in Mailman's database."""
