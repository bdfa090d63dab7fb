"""Flask extensions, created unbound and initialised by the factory."""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see that page."
login_manager.login_message_category = "info"
# Not "strong": Flask-Login's identifier hashes the client-sent X-Forwarded-For, so a forged header
# passes it. Sessions end instead by the account's session version (User.get_id, security.load_user).
login_manager.session_protection = None

csrf = CSRFProtect()
migrate = Migrate(render_as_batch=True, compare_type=True)
