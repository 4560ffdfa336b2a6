"""Claims from Django users for django-oauth-toolkit: sub (DOT's default, the user's pk), name and
email (profile and email scopes), email_verified (only for users whose spec entry has the key),
groups (a `groups` scope, the Django group names). Which of them the ID token carries follows
claims.json, written by setup_provider.py from the spec; userinfo always has all that the scopes allow."""
import json
import os

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


def options():
    with open(os.path.join(settings.BASE_DIR, "claims.json")) as file:
        return json.load(file)


class ClaimsValidator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "groups"}

    # Without a request parameter DOT treats these as request-independent and lists them in
    # discovery's claims_supported; each value is computed per request.
    def get_additional_claims(self):
        return {
            "name": lambda request: request.user.get_full_name() or request.user.username,
            "email": lambda request: request.user.email,
            "email_verified": lambda request: options()["email_verified"].get(request.user.username),
            "groups": lambda request: [group.name for group in request.user.groups.all()],
        }

    def get_oidc_claims(self, token, token_handler, request):
        # A claim without a value (email_verified absent from the spec) is not released at all.
        claims = super().get_oidc_claims(token, token_handler, request)
        return {name: value for name, value in claims.items() if value is not None}

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        spec = options()
        if spec["groups_in"] == "userinfo":
            claims.pop("groups", None)
        if not spec["email_in_id_token"]:
            claims.pop("email", None)
            claims.pop("email_verified", None)
        return claims, expiration_time
