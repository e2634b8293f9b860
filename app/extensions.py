"""Extension objects, created bare and bound to the app in `create_app()`."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect

from app.flask_db import Database

db = Database()
api = Api()
csrf = CSRFProtect()
login_manager = LoginManager()
# No default limits: each throttled path names its own (app.auth.throttle).
limiter = Limiter(key_func=get_remote_address)
