"""Where the rules the kit checks are documented: Cloudinary's public pages, or the kit's own docs/contracts.md
for the choices the public pages leave open. A failure report names one of these."""

from __future__ import annotations

UPLOAD_API = "https://cloudinary.com/documentation/image_upload_api_reference"
ADMIN_API = "https://cloudinary.com/documentation/admin_api"
SIGNATURES = "https://cloudinary.com/documentation/authentication_signatures"
IMAGGA = "https://cloudinary.com/documentation/imagga_auto_tagging_addon"
SEARCH = "https://cloudinary.com/documentation/search_method"
KIT = "docs/contracts.md"
