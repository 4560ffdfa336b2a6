#!/usr/bin/env python3
"""Runs the official Databricks SDK for Python against the workspace simulator and checks every
call FireFly makes, comparing with direct HTTP where that adds something. Exit 0 = all passed.

Usage: sdk_conformance.py HOST CLIENT_ID CLIENT_SECRET OTHER_CLIENT_ID OTHER_CLIENT_SECRET
(the other principal holds a grant on samples.tpch only)."""
import hashlib
import io
import json
import os
import sys
import time
import urllib.request

from databricks.sdk import WorkspaceClient
from databricks.sdk.core import Config
from databricks.sdk.errors import NotFound, PermissionDenied, BadRequest
from databricks.sdk.service.sql import StatementParameterListItem, StatementState

host, client_id, client_secret, other_id, other_secret = sys.argv[1:6]
WAREHOUSE = "sim-warehouse"
checks = 0


def check(condition, what):
    global checks
    if not condition:
        print(f"FAIL {what}", flush=True)
        sys.exit(1)
    checks += 1
    print(f"ok   {what}", flush=True)


def direct(path, token, method="GET"):
    request = urllib.request.Request(host + path, method=method, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"{}")


def counters():
    with urllib.request.urlopen(host + "/sim/admin/counters") as response:
        return json.loads(response.read())


w = WorkspaceClient(config=Config(host=host, client_id=client_id, client_secret=client_secret, retry_timeout_seconds=20))
token = w.config.oauth_token().access_token
check(token.count(".") == 2, "OAuth M2M through host metadata + discovery gives a bearer token")
exchanges_at_start = counters()["token_exchanges"].get(client_id, 0)
check(exchanges_at_start >= 1, "the token exchange is counted")

# Unity Catalog, paginated (the simulator's default page size is 2).
catalogs = sorted(c.name for c in w.catalogs.list())
first_page = direct("/api/2.1/unity-catalog/catalogs?max_results=0", token)
check("next_page_token" in first_page and len(first_page["catalogs"]) == 2, "catalog listing is paginated")
manual, page_token = [], None
while True:
    page = direct("/api/2.1/unity-catalog/catalogs?max_results=0" + (f"&page_token={page_token}" if page_token else ""), token)
    manual += [c["name"] for c in page["catalogs"]]
    page_token = page.get("next_page_token")
    if not page_token:
        break
check(catalogs == sorted(manual) == ["extra", "main", "samples"], f"SDK catalogs {catalogs} match direct paging")
schemas = sorted(s.name for s in w.schemas.list(catalog_name="samples"))
check(schemas == ["nyctaxi", "tpch"], f"schemas of samples: {schemas}")
tables = sorted(t.name for t in w.tables.list(catalog_name="samples", schema_name="tpch"))
check(tables == ["customer", "lineitem", "nation", "orders", "region"], f"tables of samples.tpch across pages: {tables}")
orders = w.tables.get("samples.tpch.orders")
check(orders.full_name == "samples.tpch.orders" and orders.owner and orders.created_at, "get table: full name, owner, timestamps")
columns = {c.name: c for c in orders.columns}
check(columns["o_totalprice"].type_name.value == "DECIMAL" and columns["o_totalprice"].type_text == "decimal(12,2)"
      and columns["o_orderkey"].position == 0 and columns["o_orderkey"].nullable is False
      and columns["o_orderkey"].comment == "Order key", "get table: column types, positions, nullability, comments")
volumes = [v.name for v in w.volumes.list(catalog_name="main", schema_name="default")]
check(volumes == ["uploads"], f"volumes of main.default: {volumes}")
check(w.volumes.read("main.default.uploads").volume_type.value == "MANAGED", "get volume")
try:
    w.tables.get("samples.tpch.nope")
    check(False, "missing table raises NotFound")
except NotFound:
    check(True, "missing table raises NotFound")

# Organization isolation: the other principal sees only samples.tpch.
other = WorkspaceClient(config=Config(host=host, client_id=other_id, client_secret=other_secret, retry_timeout_seconds=20))
check([c.name for c in other.catalogs.list()] == ["samples"], "other principal sees only its catalog")
check([s.name for s in other.schemas.list(catalog_name="samples")] == ["tpch"], "other principal sees only its schema")
try:
    other.tables.list(catalog_name="samples", schema_name="nyctaxi").__next__()
    check(False, "ungranted schema is refused")
except PermissionDenied:
    check(True, "ungranted schema is refused")

# SQL statements: synchronous with every chunk, asynchronous with polling, cancel, parameters, errors.
sx = w.statement_execution
count = int(sx.execute_statement(statement="SELECT count(*) FROM samples.nyctaxi.trips", warehouse_id=WAREHOUSE,
                                 wait_timeout="30s").result.data_array[0][0])
response = sx.execute_statement(statement="SELECT * FROM samples.nyctaxi.trips", warehouse_id=WAREHOUSE, wait_timeout="30s")
check(response.status.state == StatementState.SUCCEEDED, "synchronous statement succeeds")
chunks = response.manifest.total_chunk_count
rows = len(response.result.data_array)
for index in range(1, chunks):
    rows += len(sx.get_statement_result_chunk_n(response.statement_id, index).data_array)
check(chunks > 1 and rows == count == response.manifest.total_row_count, f"{chunks} chunks hold all {count} rows")
pending = sx.execute_statement(statement="SELECT sum(o_totalprice) FROM tpch.orders", catalog="samples", warehouse_id=WAREHOUSE,
                               wait_timeout="0s")
check(pending.status.state in (StatementState.PENDING, StatementState.RUNNING), "wait_timeout=0s returns at once")
for _ in range(200):
    polled = sx.get_statement(pending.statement_id)
    if polled.status.state not in (StatementState.PENDING, StatementState.RUNNING):
        break
    time.sleep(0.05)
check(polled.status.state == StatementState.SUCCEEDED and polled.result.data_array[0][0], "polling reaches SUCCEEDED with a result")
long = sx.execute_statement(statement="SELECT sleep(30000)", warehouse_id=WAREHOUSE, wait_timeout="0s")
time.sleep(0.2)
sx.cancel_execution(long.statement_id)
for _ in range(100):
    state = sx.get_statement(long.statement_id).status.state
    if state == StatementState.CANCELED:
        break
    time.sleep(0.05)
check(state == StatementState.CANCELED, "a long statement is canceled")
parameterized = sx.execute_statement(statement="SELECT count(*) FROM samples.tpch.orders WHERE o_orderkey <= :n", warehouse_id=WAREHOUSE,
                                     parameters=[StatementParameterListItem(name="n", value="10", type="INT")], wait_timeout="10s")
check(parameterized.result.data_array[0][0] == "10", "named parameters")
bad = sx.execute_statement(statement="SELECT * FROM nowhere", warehouse_id=WAREHOUSE, wait_timeout="10s")
check(bad.status.state == StatementState.FAILED and "TABLE_OR_VIEW_NOT_FOUND" in bad.status.error.message, "bad SQL fails with an error")
try:
    sx.execute_statement(statement="SELECT 1", warehouse_id=WAREHOUSE, wait_timeout="3s")
    check(False, "wait_timeout outside 5-50 s is refused")
except BadRequest:
    check(True, "wait_timeout outside 5-50 s is refused")

# Files API on a volume (the 60 MiB file takes the SDK's large-file paths: multipart initiate is
# refused, so it falls back to one streamed PUT; the download uses parallel ranges).
for size in (3 << 20, 60 << 20):
    data = os.urandom(size)
    path = f"/Volumes/main/default/uploads/sdk dir/file-{size}.bin"
    w.files.upload(path, io.BytesIO(data), overwrite=True)
    downloaded = w.files.download(path).contents.read()
    check(hashlib.sha256(downloaded).hexdigest() == hashlib.sha256(data).hexdigest(), f"files upload/download of {size} bytes, SHA-256 equal")
    check(w.files.get_metadata(path).content_length == size, "file metadata")
listing = sorted(e.name for e in w.files.list_directory_contents("/Volumes/main/default/uploads/sdk dir"))
check(listing == [f"file-{3 << 20}.bin", f"file-{60 << 20}.bin"], f"directory listing {listing}")
w.files.create_directory("/Volumes/main/default/uploads/sdk dir/empty")
w.files.get_directory_metadata("/Volumes/main/default/uploads/sdk dir/empty")
w.files.delete_directory("/Volumes/main/default/uploads/sdk dir/empty")
for size in (3 << 20, 60 << 20):
    w.files.delete(f"/Volumes/main/default/uploads/sdk dir/file-{size}.bin")
try:
    w.files.get_metadata(f"/Volumes/main/default/uploads/sdk dir/file-{3 << 20}.bin")
    check(False, "deleted file is gone")
except NotFound:
    check(True, "deleted file is gone")

# DBFS: streamed upload (create/add-block/close), download, and the raw calls.
data = os.urandom((2 << 20) + 12345)
w.dbfs.upload("/firefly/sdk/blob.bin", io.BytesIO(data), overwrite=True)
with w.dbfs.download("/firefly/sdk/blob.bin") as stream:
    downloaded = stream.read()
check(hashlib.sha256(downloaded).hexdigest() == hashlib.sha256(data).hexdigest(), "dbfs upload/download, SHA-256 equal")
status = w.dbfs.get_status("/firefly/sdk/blob.bin")
check(status.file_size == len(data) and not status.is_dir, "dbfs get-status")
w.dbfs.mkdirs("/firefly/sdk/sub")
w.dbfs.move("/firefly/sdk/blob.bin", "/firefly/sdk/sub/moved.bin")
check(sorted(f.path for f in w.dbfs.list("/firefly/sdk")) == ["/firefly/sdk/sub"], "dbfs list after move")
check(w.dbfs.exists("/firefly/sdk/sub/moved.bin") and not w.dbfs.exists("/firefly/sdk/blob.bin"), "dbfs exists")
w.dbfs.delete("/firefly/sdk", recursive=True)
check(not w.dbfs.exists("/firefly/sdk"), "dbfs recursive delete")

# Apps.
apps = sorted(a.name for a in w.apps.list())
check(apps == ["notebook", "vscode"], f"apps {apps}")
app = w.apps.get("vscode")
check(app.url.startswith("https://vscode-") and app.app_status.state.value == "RUNNING", "get app")

# The token was reused for every call above: no further exchanges.
exchanges = counters()["token_exchanges"].get(client_id, 0)
check(exchanges == exchanges_at_start, f"no further token exchanges for {client_id} ({exchanges})")
print(f"ALL {checks} CHECKS PASSED")
