"""Creates the confidential client and the users for django-oauth-toolkit from a JSON description:
{"client_id", "client_secret", "redirect_uris": [...], "post_logout_redirect_uris": [...],
 "users": [{"username", "password", "email", "first_name", "last_name", "groups": [...],
            "email_verified": true|false (optional: no email_verified claim when absent)}],
 "groups_in": "userinfo" (default: groups only from userinfo) | "both" (also in the ID token),
 "email_in_id_token": true (default) | false (email and email_verified only from userinfo)}
The claim options go to claims.json in the provider folder, read by provider_claims.py.
(The RSA key is made by the start script, since the settings read it.)"""
import json
import os
import sys

import django

django.setup()
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

spec = json.load(open(sys.argv[1]))
groups_in = spec.get("groups_in", "userinfo")
if groups_in not in ("userinfo", "both"):
    sys.exit(f"groups_in must be userinfo or both, not {groups_in!r}")
claims = {"groups_in": groups_in, "email_in_id_token": spec.get("email_in_id_token", True),
          "email_verified": {entry["username"]: entry["email_verified"]
                             for entry in spec["users"] if "email_verified" in entry}}
with open(os.path.join(settings.BASE_DIR, "claims.json"), "w") as file:
    json.dump(claims, file)

application, _ = Application.objects.update_or_create(
    client_id=spec["client_id"],
    defaults=dict(name="FireFly", client_type=Application.CLIENT_CONFIDENTIAL,
                  authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
                  client_secret=spec["client_secret"],  # stored hashed by DOT
                  algorithm=Application.RS256_ALGORITHM, skip_authorization=True,
                  redirect_uris=" ".join(spec["redirect_uris"]),
                  post_logout_redirect_uris=" ".join(spec.get("post_logout_redirect_uris", []))),
)
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
