"""In-app notices (escalations and others) for the signed-in user, and the header badge."""
