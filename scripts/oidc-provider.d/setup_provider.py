"""Creates the RSA signing key, the confidential client and the users from a JSON description:
{"client_id", "client_secret", "redirect_uris": [...], "post_logout_redirect_uris": [...],
 "users": [{"username", "password", "email", "first_name", "last_name", "groups": [...]}]}"""
import json
import sys

import django

django.setup()
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from oidc_provider.models import Client, ResponseType, RSAKey  # noqa: E402

spec = json.load(open(sys.argv[1]))
if not RSAKey.objects.exists():
    call_command("creatersakey")
code, _ = ResponseType.objects.get_or_create(value="code", defaults={"description": "code (Authorization Code Flow)"})
client, _ = Client.objects.update_or_create(
    client_id=spec["client_id"],
    defaults=dict(name="FireFly", client_type="confidential", client_secret=spec["client_secret"], jwt_alg="RS256",
                  require_consent=False, reuse_consent=True,
                  _redirect_uris="\n".join(spec["redirect_uris"]),
                  _post_logout_redirect_uris="\n".join(spec.get("post_logout_redirect_uris", [])),
                  _scope="openid email profile groups offline_access"),
)
client.response_types.set([code])
for entry in spec["users"]:
    user, _ = User.objects.get_or_create(username=entry["username"])
    user.email = entry["email"]
    user.first_name = entry.get("first_name", "")
    user.last_name = entry.get("last_name", "")
    user.is_active = True
    user.set_password(entry["password"])
    user.save()
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in entry.get("groups", [])])
print("provider ready")
