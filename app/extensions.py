"""Extension objects, created bare and bound to the app in `create_app()`."""

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from app.api.errors import ShareLedgerApi
from app.db import Database

db = Database()
api = ShareLedgerApi()
csrf = CSRFProtect()
login_manager = LoginManager()
