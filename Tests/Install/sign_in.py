#!/usr/bin/env python3
"""A person signing in to an installed FireFly through nginx and running a query.

Usage: sign_in.py BASE USER PASSWORD CA_FILE COOKIE_OUT
Signs in through the provider's login form, runs `SELECT 1 AS one` through /api/sql/statements,
prints the answer's first row, and writes the session cookie (NAME=value) to COOKIE_OUT for load
generators. Exits non-zero with the reason on any failure."""
import re
import sys

import requests

base, user, password, ca_file, cookie_out = sys.argv[1:6]
session = requests.Session()
session.trust_env = False  # REQUESTS_CA_BUNDLE or a proxy from the environment would override these
session.verify = ca_file

page = session.get(base + "/auth/login?return_to=/sql", timeout=30)
page.raise_for_status()
form = re.search(r'<form method="post" action="([^"]+)"', page.text)
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
if not form or not token:
    sys.exit(f"not the provider's login page: {page.url}")
fields = {"csrfmiddlewaretoken": token.group(1), "username": user, "password": password}
following = re.search(r'name="next" value="([^"]*)"', page.text)
if following:
    fields["next"] = following.group(1).replace("&amp;", "&")
done = session.post(requests.compat.urljoin(page.url, form.group(1)), data=fields, headers={"Referer": page.url}, timeout=30)
done.raise_for_status()
if not done.url.startswith(base + "/sql"):
    sys.exit(f"sign-in ended at {done.url}")

me = session.get(base + "/api/me", timeout=30).json()
answer = session.post(base + "/api/sql/statements", json={"statement": "SELECT 1 AS one"},
                      headers={"X-CSRF-Token": me["csrf_token"], "Origin": base}, timeout=60)
if answer.status_code != 200:
    sys.exit(f"statement answered {answer.status_code}: {answer.text[:300]}")
body = answer.json()
print(body["result"]["data_array"][0][0])
cookie = next(c for c in session.cookies if c.name == "__Host-firefly_session")
with open(cookie_out, "w") as out:
    out.write(f"{cookie.name}={cookie.value}\n")
