"""The Account Provisioning API: sub-accounts (product environments), users, user groups, access keys."""
