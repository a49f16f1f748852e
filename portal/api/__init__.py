"""What every app's API shares: the URL tree (`urls`), the schema that documents refusals
(`schema`), the exception handler that turns the services' refusals into answers
(`exceptions`) and common serializer fields (`fields`). Each app's endpoints live in its own
``api`` package."""
