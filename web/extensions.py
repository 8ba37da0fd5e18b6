"""Unbound Flask extensions, bound to an app in create_app."""

from __future__ import annotations

from flask_sqlalchemy import SQLAlchemy

from engine.db import Base

db = SQLAlchemy(metadata=Base.metadata)
