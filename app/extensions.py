"""Extension objects, created bare and bound to the app in `create_app()`."""

from flask_login import LoginManager
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect

from app.flask_db import Database

db = Database()
api = Api()
csrf = CSRFProtect()
login_manager = LoginManager()
