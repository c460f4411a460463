#!/usr/bin/env bash
# The SCIM filter load run: against a data dir seeded by `iic dev seed`
# (user n: user name seed-user-<n>, e-mail seed-user-<n>@example.test),
# start `iic serve` on a loopback port and measure, with tools/loadgen
# --scim (a bearer token of the store's provisioning tenant, created for the
# run and deleted after it),
#   username-eq  GET /Users?filter=userName eq "seed-user-<random n>"
#   email-eq     GET /Users?filter=emails.value eq "seed-user-<random n>@example.test"
#   username-co  GET /Users?filter=userName co "user-<random n>"
#   username-co-all, username-co-short (not run by default): co "seed", which
#                every seeded user holds, and co "<one digit>"; over the scan
#                bound both are refused with 400 tooMany
#   get-user-id  (a control outside SCIM) signed POST users/retrieve-user-id
#                by user_name, the identity-store API's look-up
# each for --duration at the given concurrency. Bounded in time and count,
# loopback only.
#
#   tools/loadgen/scim.sh DATA_DIR STORE_ID [DATABASE_URL] [CONCURRENCY] [DURATION] [USERS] [CASES]
#
# USERS (default 1000000) is how many users the store was seeded with;
# CASES (default "username-eq email-eq username-co") picks the runs; a
# username-co on a store over the scan bound that the index cannot narrow
# answers 400 tooMany (CO_EXPECT=tooMany counts those as the expected answer).
set -euo pipefail
data=${1:?data dir}
data=$(cd "$data" && pwd) # relative to where the script was started
cd "$(dirname "$0")/../.."
store=${2:?identity store id (printed by iic dev seed)}
dburl=${3:-}
conc=${4:-4}
dur=${5:-10s}
users=${6:-1000000}
cases=${7:-username-eq email-eq username-co}
port=$((20000 + RANDOM % 20000))
base="http://127.0.0.1:$port"

bin=$(mktemp -d) pid=
trap '[ -z "$pid" ] || { kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; }; rm -rf "$bin"' EXIT
# IIC_BIN runs a prebuilt server instead (e.g. another build, to compare).
if [ -n "${IIC_BIN:-}" ]; then cp "$IIC_BIN" "$bin/iic"; else go build -o "$bin/iic" ./cmd/iic; fi
go build -o "$bin/loadgen" ./tools/loadgen
IIC_MAX_USERS_PER_STORE=${IIC_MAX_USERS_PER_STORE:-2000000} "$bin/iic" serve --listen "127.0.0.1:$port" --data-dir "$data" --database-url "$dburl" --log-level error &
pid=$!
for _ in $(seq 1 600); do
  curl -fs "$base/readyz" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { echo "iic serve exited (port $port taken?)" >&2; pid=; exit 1; }
  sleep 0.1
done
curl -fs "$base/readyz" >/dev/null || { echo "server not ready after 60 s" >&2; exit 1; }

# The server process's CPU time (user + system, in clock ticks) so far: each
# case also prints the server's CPU per request (not the database's on
# PostgreSQL), a figure that other load on the machine disturbs less than
# latency.
tck=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0; }
percpu() { # before-ticks output-of-loadgen
  local n; n=$(sed -n 's/^requests=\([0-9]*\).*/\1/p' <<<"$2" | head -n1)
  [ -n "$n" ] && [ "$n" -gt 0 ] && echo " server-cpu/req=$(( ($(cpu) - $1) * 1000000 / tck / n ))us"
}
run() { # name loadgen-args...
  local name=$1 before out; shift
  before=$(cpu)
  out=$("$@")
  echo "$name $out$(percpu "$before" "$out")"
}
lg() { "$bin/loadgen" --url "$base" --creds "$data/root-credentials.json" --scope-header none --scim "$store" \
  --concurrency "$conc" --duration "$dur" --max 500000 --vary "$users" "$@"; }
lg_signed() { "$bin/loadgen" --url "$base" --creds "$data/root-credentials.json" --scope-header none \
  --concurrency "$conc" --duration "$dur" --max 500000 --vary "$users" "$@"; }
u="/{tenant}/scim/v2/Users?filter="
q='%22' # a double quote in the query string

for c in $cases; do
  case $c in
  username-eq) run "username-eq:" lg --path "${u}userName%20eq%20${q}seed-user-{n}${q}" --expect '"totalResults":1}' ;;
  email-eq) run "email-eq:   " lg --path "${u}emails.value%20eq%20${q}seed-user-{n}%40example.test${q}" --expect '"totalResults":1}' ;;
  username-co)
    # Matches one user (or a few: user-1 is in user-10, user-100, …) when the
    # store can answer it; a store over the scan bound answers 400 tooMany.
    run "username-co:" lg --path "${u}userName%20co%20${q}user-{n}${q}&count=1" --expect "${CO_EXPECT:-totalResults}" ;;
  username-co-all)
    # Every seeded user contains "seed": over the scan bound, the cost of
    # learning that the index cannot narrow the filter and refusing it.
    run "co-all:     " lg --path "${u}userName%20co%20${q}seed${q}&count=1" --expect "${CO_ALL_EXPECT:-tooMany}" ;;
  username-co-short)
    # Too short for the trigram index: over the scan bound, refused at once.
    run "co-short:   " lg --path "${u}userName%20co%20${q}{n}${q}&count=1" --vary 10 --expect "${CO_ALL_EXPECT:-tooMany}" ;;
  get-user-id) run "get-user-id:" lg_signed --method POST --path "/v1/identity-stores/$store/users/retrieve-user-id" \
    --body '{"alternate_identifier":{"unique_attribute":{"attribute_path":"user_name","attribute_value":"seed-user-{n}"}}}' ;;
  *) echo "unknown case $c" >&2; exit 2 ;;
  esac
done
