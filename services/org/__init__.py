"""The organisation: the region tree, departments, accounts, scoped authority and delegations (代办).

Modules: scope (which regions a user's roles reach), regions and departments (edits with the division-code
rules), accounts (create, disable, reset password, certificates), delegations, org_import (XLSX org chart).
"""
