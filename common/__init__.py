"""Helpers every part of the product uses and that belong to none of them."""
