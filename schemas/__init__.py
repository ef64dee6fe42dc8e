"""marshmallow schemas: the API's JSON contract (and the plan form's shape). Shape only: no DB, no auth."""
