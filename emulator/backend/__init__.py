"""The domain: resources, tags, context and categorization. No Flask imports below this package."""
