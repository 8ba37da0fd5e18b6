"""Notifications: outbox, channels and templates."""
