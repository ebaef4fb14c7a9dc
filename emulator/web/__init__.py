"""The media-library page at ``/console``: server-rendered templates and one local stylesheet, no CDN."""
