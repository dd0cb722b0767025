#!/usr/bin/env bash
# Entrepôt on a store in S3 (issue #15), called from .ci/run.
#
# Starts an S3-compatible server on loopback (moto's, from PyPI, in bench/.venv) and
# asserts, with the S3 settings and credentials in the environment only:
#   1. `entrepot ingest` into s3://BUCKET/PREFIX (the penppml panel and the BACI
#      extract), then `datasets`, `sql`, `brief`, `diversification` and `dependence`
#      give the same output as on a local store of the same files (the store's name
#      aside), with `--engine local` and on a loopback Ballista cluster (a scheduler
#      and an executor that read the bucket with their own environment);
#   2. writes are single-writer and atomic: a held lock refuses a second writer and
#      leaves the store unchanged; a re-ingest of the same files is "unchanged"; a
#      `--replace` and a `remove` commit a new manifest; `verify` checks every object
#      (size and SHA-256) and names a damaged one;
#   3. bad URLs (`gs://…`, credentials in the URL) are refused as usage errors (exit 2)
#      and a bucket without a store is "not found" (exit 4).
#
# Usage: ci/s3.sh [ENTREPOT_BIN]   (default: $CARGO_TARGET_DIR/debug/entrepot)
# Needs ENTREPOT_SHARED_DATA and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

BIN="${1:-${ENTREPOT_BIN:-${CARGO_TARGET_DIR:-target}/debug/entrepot}}"
SHARED="${ENTREPOT_SHARED_DATA:?set ENTREPOT_SHARED_DATA to the shared data folder}"
PANEL="$SHARED/penppml_trade/trade.csv"
BACI="$SHARED/baci_hs17_2020_zaf_afg_exports/BACI_HS17_Y2020_V202301_exporters_ZAF_AFG.csv"
CODES="$SHARED/baci_hs17_2020_zaf_afg_exports/country_codes_V202201.csv"
[ -x "$BIN" ] || { echo "FAIL: no entrepot binary at $BIN" >&2; exit 1; }

echo "== moto (an S3-compatible server, bench/.venv)"
bash bench/setup_venv.sh "moto[server]>=5.1,<6" boto3
PY="$ROOT/bench/.venv/bin/python"

# fail, free_port, wait_port, work_dir, start_scheduler, start_executor
. ci/lib.sh
work_dir s3

S3PORT=$(free_port)
"$ROOT/bench/.venv/bin/moto_server" -H 127.0.0.1 -p "$S3PORT" >"$WORK/moto.log" 2>&1 &
PIDS+=($!)
wait_port "$S3PORT"
# The S3 settings, from the environment only (as a user would set them).
export AWS_ENDPOINT="http://127.0.0.1:$S3PORT" AWS_ALLOW_HTTP=true
export AWS_ACCESS_KEY_ID=entrepot-ci AWS_SECRET_ACCESS_KEY=entrepot-ci AWS_REGION=us-east-1
BUCKET=entrepot-ci
s3() { # s3 PYTHON-STATEMENTS: runs with `c` an S3 client of the bucket's server
  "$PY" -c "import boto3; c = boto3.client('s3', endpoint_url='$AWS_ENDPOINT', region_name='us-east-1', aws_access_key_id='x', aws_secret_access_key='x'); $1"
}
s3 "c.create_bucket(Bucket='$BUCKET')"

export ENTREPOT_ENGINE=local
ent() { "$BIN" --quiet "$@"; }

echo "== ingest into S3 and into local stores"
MAP=(--map reporter=exp,partner=imp,period=time,value=export,flow=export)
ent --store "s3://$BUCKET/panel" ingest "$PANEL" --dataset penppml "${MAP[@]}" >/dev/null
ent --store "s3://$BUCKET/baci" ingest "$BACI" --dataset baci --countries "$CODES" >/dev/null
ent --store "$WORK/panel" ingest "$PANEL" --dataset penppml "${MAP[@]}" >/dev/null
ent --store "$WORK/baci" ingest "$BACI" --dataset baci --countries "$CODES" >/dev/null
s3 "print(sorted(o['Key'] for o in c.list_objects_v2(Bucket='$BUCKET')['Contents']))" \
  >"$WORK/keys.txt"
grep -q "panel/manifest.json" "$WORK/keys.txt" || fail "no manifest in the bucket: $(cat "$WORK/keys.txt")"
grep -q "baci/datasets/baci/v1/" "$WORK/keys.txt" || fail "no BACI files in the bucket"
grep -q "\.lock" "$WORK/keys.txt" && fail "a writer lock was left behind"
echo "ok: stored in s3://$BUCKET ($(tr ',' '\n' <"$WORK/keys.txt" | wc -l) objects)"

# same WHAT ENGINE STORE-NAME ARGS…: the output on the S3 store is the local store's
# (with the store's name replaced, and the rows of SQL results sorted).
same() {
  local what=$1 engine=$2 name=$3
  shift 3
  ent --store "$WORK/$name" --engine local "$@" >"$WORK/local.txt" \
    || fail "$what: the local store failed"
  ent --store "s3://$BUCKET/$name" --engine "$engine" "$@" >"$WORK/s3.txt" \
    || fail "$what on s3://$BUCKET/$name (--engine $engine) failed"
  sed -i "s#s3://$BUCKET/$name#STORE#g" "$WORK/s3.txt"
  sed -i "s#$WORK/$name#STORE#g" "$WORK/local.txt"
  if [ "${SORT:-0}" = 1 ]; then
    LC_ALL=C sort -o "$WORK/s3.txt" "$WORK/s3.txt"
    LC_ALL=C sort -o "$WORK/local.txt" "$WORK/local.txt"
  fi
  [ "$(wc -l <"$WORK/local.txt")" -gt 1 ] || fail "$what: no output"
  if [ "${JSON:-0}" = 1 ]; then
    # Sums over rows a cluster shuffles add in another order: numbers to 1e-12.
    python3 ci/json_close.py "$WORK/local.txt" "$WORK/s3.txt" \
      || fail "$what: the S3 store's output differs (--engine $engine)"
    echo "ok: $what, --engine $engine ($(wc -l <"$WORK/local.txt") lines, equal to 1e-12)"
    return
  fi
  if ! cmp -s "$WORK/local.txt" "$WORK/s3.txt"; then
    diff "$WORK/local.txt" "$WORK/s3.txt" | head -n 20 >&2
    fail "$what: the S3 store's output differs (--engine $engine)"
  fi
  echo "ok: $what, --engine $engine ($(wc -l <"$WORK/local.txt") lines, identical)"
}

checks() {
  local engine=$1
  SORT=1 same "sql by reporter and year" "$engine" panel --format csv sql \
    "SELECT reporter, year, COUNT(*) AS n, SUM(CAST(ROUND(value_usd) AS BIGINT)) AS v FROM flows GROUP BY reporter, year"
  same "brief ZAF" "$engine" baci --format json brief ZAF --period 2020
  same "brief AFG (mirror imports)" "$engine" baci --format json brief AFG --period 2020
  JSON=1 same "diversification ZAF" "$engine" baci --format json diversification ZAF --dataset baci
  JSON=1 same "dependence AFG ZAF" "$engine" baci --format json dependence AFG ZAF --dataset baci
  JSON=1 same "diversification CHN (panel)" "$engine" panel --format json diversification CHN
}

echo "== the same answers from S3 and from a local store"
same "datasets" local panel --format csv datasets
checks local

echo "== the HTTP API over the S3 store"
HTTP=$(free_port)
"$BIN" --quiet --store "s3://$BUCKET/baci" serve --addr "127.0.0.1:$HTTP" >"$WORK/serve.log" 2>&1 &
PIDS+=($!)
wait_port "$HTTP"
python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=300).read().decode())' \
  "http://127.0.0.1:$HTTP/api/v1/brief/ZAF?period=2020" >"$WORK/http.json"
ent --store "s3://$BUCKET/baci" --format json brief ZAF --period 2020 >"$WORK/cli.json"
python3 ci/json_close.py "$WORK/cli.json" "$WORK/http.json" \
  || fail "GET /api/v1/brief/ZAF from the S3 store differs from the CLI's brief"
echo "ok: GET /api/v1/brief/ZAF?period=2020 from the S3 store is the CLI's brief"

echo "== on a Ballista cluster reading the bucket"
start_scheduler "$BIN"
start_executor "$BIN" 1 --concurrent-tasks 2 --heartbeat 1
sleep 2
checks "ballista://127.0.0.1:$SCHED"

echo "== writes: single writer, atomic"
ent --store "s3://$BUCKET/panel" ingest "$PANEL" --dataset penppml "${MAP[@]}" --format csv \
  >"$WORK/again.txt"
grep -q "unchanged" "$WORK/again.txt" || fail "a re-ingest of the same file: $(cat "$WORK/again.txt")"
echo "ok: re-ingest of the same file is unchanged"
s3 "c.put_object(Bucket='$BUCKET', Key='baci/.lock', Body=b'{\"pid\":4242}')"
s3 "import json; print(c.get_object(Bucket='$BUCKET', Key='baci/manifest.json')['ETag'])" >"$WORK/etag.before"
set +e
"$BIN" --quiet --store "s3://$BUCKET/baci" ingest "$BACI" --dataset other --countries "$CODES" \
  >"$WORK/out" 2>"$WORK/err"
code=$?
set -e
[ "$code" -ne 0 ] || fail "a second writer was not refused"
grep -q "locked by another writer" "$WORK/err" || fail "locked store: $(cat "$WORK/err")"
grep -q "4242" "$WORK/err" || fail "the lock's holder is not named: $(cat "$WORK/err")"
s3 "import json; print(c.get_object(Bucket='$BUCKET', Key='baci/manifest.json')['ETag'])" >"$WORK/etag.after"
cmp -s "$WORK/etag.before" "$WORK/etag.after" || fail "the refused write changed the manifest"
echo "ok: a held lock refuses a second writer (exit $code): $(head -c 200 "$WORK/err")"
s3 "c.delete_object(Bucket='$BUCKET', Key='baci/.lock')"
# A failed ingest (a bad value on line 3) leaves the store as it was, lock released.
{ head -n 2 "$BACI"; head -n 3 "$BACI" | tail -n 1 | awk -F, 'BEGIN{OFS=","} {$5="-12"; print}'; } \
  >"$WORK/BACI_HS17_bad.csv"
set +e
"$BIN" --quiet --store "s3://$BUCKET/baci" ingest "$WORK/BACI_HS17_bad.csv" --dataset bad --countries "$CODES" \
  >"$WORK/out" 2>"$WORK/err"
code=$?
set -e
[ "$code" -eq 3 ] || fail "a bad file: exit $code, expected 3: $(cat "$WORK/err")"
grep -q "BACI_HS17_bad.csv" "$WORK/err" || fail "a bad file: the file is not named: $(cat "$WORK/err")"
s3 "import json; print(c.get_object(Bucket='$BUCKET', Key='baci/manifest.json')['ETag'])" >"$WORK/etag.after"
cmp -s "$WORK/etag.before" "$WORK/etag.after" || fail "the failed ingest changed the manifest"
s3 "print(sorted(o['Key'] for o in c.list_objects_v2(Bucket='$BUCKET', Prefix='baci/')['Contents']))" >"$WORK/keys.txt"
grep -q "\.lock\|datasets/bad" "$WORK/keys.txt" && fail "the failed ingest left objects: $(cat "$WORK/keys.txt")"
echo "ok: a failed ingest (exit 3) leaves the S3 store as it was: $(head -c 160 "$WORK/err")"
# New content for the dataset (the panel): a replace with the same content is unchanged.
ent --store "s3://$BUCKET/baci" ingest "$PANEL" --dataset baci "${MAP[@]}" --replace \
  --format csv >/dev/null
ent --store "s3://$BUCKET/baci" --format csv datasets >"$WORK/ds.txt"
grep -q "^baci,flows,2," "$WORK/ds.txt" || fail "--replace did not write version 2: $(cat "$WORK/ds.txt")"
ent --store "s3://$BUCKET/baci" verify >/dev/null || fail "verify after --replace"
echo "ok: --replace wrote version 2 and verify passes"
s3 "k=[o['Key'] for o in c.list_objects_v2(Bucket='$BUCKET', Prefix='baci/datasets/baci/v2/')['Contents']][0]; c.put_object(Bucket='$BUCKET', Key=k, Body=b'damaged')"
set +e
"$BIN" --quiet --store "s3://$BUCKET/baci" verify >"$WORK/out" 2>"$WORK/err"
code=$?
set -e
[ "$code" -ne 0 ] || fail "verify passed a damaged object"
grep -q "DAMAGED" "$WORK/out" || fail "verify does not name the damage: $(cat "$WORK/out" "$WORK/err")"
echo "ok: verify finds a damaged object (exit $code)"
ent --store "s3://$BUCKET/panel" remove penppml >/dev/null
ent --store "s3://$BUCKET/panel" --format csv datasets >"$WORK/ds.txt"
grep -q "penppml" "$WORK/ds.txt" && fail "remove left the dataset listed"
s3 "r=c.list_objects_v2(Bucket='$BUCKET', Prefix='panel/datasets/'); print(r.get('KeyCount', 0))" >"$WORK/n.txt"
[ "$(cat "$WORK/n.txt")" = 0 ] || fail "remove left $(cat "$WORK/n.txt") objects"
echo "ok: remove commits the manifest and deletes the objects"

echo "== bad store URLs"
expect_exit() { # expect_exit CODE TEXT ARGS…
  local want=$1 text=$2 code=0
  shift 2
  "$BIN" --quiet "$@" >"$WORK/out" 2>"$WORK/err" || code=$?
  [ "$code" -eq "$want" ] || fail "entrepot $*: exit $code, expected $want: $(cat "$WORK/err")"
  grep -q -- "$text" "$WORK/err" || fail "entrepot $*: '$text' not in: $(cat "$WORK/err")"
  echo "ok: exit $want: $(head -c 160 "$WORK/err")"
}
expect_exit 2 "only s3://" --store "gs://$BUCKET/x" datasets
expect_exit 2 "environment" --store "s3://$BUCKET/x?secret=1" datasets
expect_exit 4 "no store at s3://$BUCKET/nothing" --store "s3://$BUCKET/nothing" sql "SELECT 1"
echo "== S3 store checks passed"
