# Django settings for the second kind of test/demo OIDC provider: django-oauth-toolkit (DOT).
# Values come from the environment the start script sets; nothing here is used in production.
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
    "oauth2_provider",
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
    # The login page is the other provider's (same form, so the tests fill both alike).
    "DIRS": [os.path.join(os.path.dirname(__file__), "..", "oidc-provider.d", "templates")],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                       "django.contrib.auth.context_processors.auth"]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(BASE_DIR, "provider.sqlite3")}}
USE_TZ = True
LOGIN_URL = "/accounts/login/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    # The issuer is fixed (not derived from each request's Host), like SITE_URL + "/openid" for
    # the other kind; discovery is ISSUER/.well-known/openid-configuration.
    "OIDC_ISS_ENDPOINT": SITE_URL + "/o",
    # RS256 key made by the start script on first start; the JWKS lists it with its thumbprint as kid.
    "OIDC_RSA_PRIVATE_KEY": open(os.path.join(BASE_DIR, "oidc-rsa.pem")).read(),
    # Declared scopes: anything else is invalid_scope. offline_access is accepted because FireFly
    # asks for it (DOT issues refresh tokens either way).
    "SCOPES": {"openid": "OpenID Connect", "email": "Your email address", "profile": "Your name",
               "groups": "The groups you belong to", "offline_access": "Stay signed in"},
    "DEFAULT_SCOPES": ["openid"],
    "OAUTH2_VALIDATOR_CLASS": "provider_claims.ClaimsValidator",
    # Authorization code only, with PKCE S256 required (plain and the implicit/password grants refused).
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "ID_TOKEN_EXPIRE_SECONDS": int(os.environ.get("OIDC_PROVIDER_IDTOKEN_EXPIRE", "600")),
    # RP-initiated logout: advertised as end_session_endpoint; redirects straight back (no
    # confirmation page) when id_token_hint names the signed-in user. On logout DOT also revokes all
    # of that user's access, refresh and ID tokens (its default), so a used id_token_hint is then unknown.
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
}
