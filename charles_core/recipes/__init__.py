"""Recipes that wire every layer together (the quickstart); nothing below imports them."""
