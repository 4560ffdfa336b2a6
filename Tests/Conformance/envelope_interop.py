#!/usr/bin/env python3
"""The app-proxy token envelope from the other side: Python's `cryptography` AESGCM.
  seal-seed KEYHEX TOKEN        → the seed's format (no associated data), padded URL-safe base64
  seal-bound KEYHEX JSON        → FireFly's bound format (associated data names purpose and version)
  open-bound KEYHEX SEALED      → the JSON inside a token ProxyCore sealed"""
import base64
import os
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

AAD = b"firefly/app-proxy-token/v2"
mode, key_hex, value = sys.argv[1:4]
aead = AESGCM(bytes.fromhex(key_hex))
if mode in ("seal-seed", "seal-bound"):
    nonce = os.urandom(12)
    sealed = nonce + aead.encrypt(nonce, value.encode(), AAD if mode == "seal-bound" else None)
    print(base64.urlsafe_b64encode(sealed).decode())
elif mode == "open-bound":
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    print(aead.decrypt(raw[:12], raw[12:], AAD).decode())
else:
    sys.exit(f"unknown mode {mode}")
