"""Documents: conversions between the profile and document formats."""
