# Django settings for the test/demo OIDC provider (django-oidc-provider). Values come from the
# environment the start script sets; nothing here is used in production.
import os

BASE_DIR = os.environ["OIDC_PROVIDER_DIR"]
SECRET_KEY = os.environ["OIDC_PROVIDER_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SITE_URL = os.environ["OIDC_PROVIDER_SITE_URL"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "provider_urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [os.path.join(os.path.dirname(__file__), "templates")],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(BASE_DIR, "provider.sqlite3")}}
USE_TZ = True
LOGIN_URL = "/accounts/login/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# Claims (email, name, groups) in the ID token, as FireFly's organization rules read them.
OIDC_IDTOKEN_INCLUDE_CLAIMS = True
OIDC_EXTRA_SCOPE_CLAIMS = "provider_claims.GroupsScopeClaims"
OIDC_USERINFO = "provider_claims.userinfo"
OIDC_IDTOKEN_EXPIRE = int(os.environ.get("OIDC_PROVIDER_IDTOKEN_EXPIRE", "600"))
OIDC_SESSION_MANAGEMENT_ENABLE = False
