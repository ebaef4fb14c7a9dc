"""The account's settings APIs: structured metadata, upload presets and mappings, named transformations,
folders, streaming profiles and triggers. Each is a small service over the :class:`AccountStore` port."""
