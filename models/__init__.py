"""Tortoise models, one module per domain.

Every row of tenant data carries its organization.
"""
