"""The web process: portal pages, the JSON API and webhooks over the domain services."""
