#!/usr/bin/env bash
# The identity-store load run: against a data dir seeded by `iic dev seed`
# (1,000,000 users, 100,000 groups, users 0..999 in groups 0..49), start
# `iic serve` on a loopback port and measure, with tools/loadgen, signed
#   get-user       GET  users/{id}
#   get-user-id    POST users/retrieve-user-id (by user_name)
#   list-users     GET  users?limit=100
#   is-member      POST is-member-in-groups (a user in 50 groups, 50 group ids)
#   create-user    POST users (OTP mode: generated one-time password)
# each for --duration at the given concurrency. Bounded in time and count,
# loopback only.
#
#   tools/loadgen/identitystore.sh DATA_DIR STORE_ID [DATABASE_URL] [CONCURRENCY] [DURATION]
set -euo pipefail
data=${1:?data dir}
data=$(cd "$data" && pwd) # relative to where the script was started
cd "$(dirname "$0")/../.."
store=${2:?identity store id (printed by iic dev seed)}
dburl=${3:-}
conc=${4:-16}
dur=${5:-10s}
port=$((20000 + RANDOM % 20000))
base="http://127.0.0.1:$port"

bin=$(mktemp -d) pid=
trap '[ -z "$pid" ] || { kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; }; rm -rf "$bin"' EXIT
go build -o "$bin/iic" ./cmd/iic
go build -o "$bin/loadgen" ./tools/loadgen
IIC_MAX_USERS_PER_STORE=${IIC_MAX_USERS_PER_STORE:-2000000} "$bin/iic" serve --listen "127.0.0.1:$port" --data-dir "$data" --database-url "$dburl" --log-level error &
pid=$!
for _ in $(seq 1 600); do curl -fs "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "$base/readyz" >/dev/null || { echo "server not ready after 60 s" >&2; exit 1; }

lg() { "$bin/loadgen" --url "$base" --creds "$data/root-credentials.json" --scope-header none \
  --concurrency "$conc" --duration "$dur" --max 500000 "$@"; }
p="/v1/identity-stores/$store"
groups=$(for k in $(seq 0 49); do printf '"00000000-0000-4000-9000-%012d",' "$k"; done)
groups="[${groups%,}]"

echo "get-user:    $(lg --path "$p/users/00000000-0000-4000-8000-{n:12}" --vary 1000000)"
echo "get-user-id: $(lg --method POST --path "$p/users/retrieve-user-id" --vary 1000000 \
  --body '{"alternate_identifier":{"unique_attribute":{"attribute_path":"user_name","attribute_value":"seed-user-{n}"}}}')"
echo "list-users:  $(lg --path "$p/users?limit=100")"
echo "is-member:   $(lg --method POST --path "$p/is-member-in-groups" --vary 1000 \
  --body "{\"member_id\":{\"user_id\":\"00000000-0000-4000-8000-{n:12}\"},\"group_ids\":$groups}")"
echo "create-user: $(lg --method POST --path "$p/users" --vary 1 \
  --body '{"user_name":"load-{seq}","display_name":"Load User","password_mode":"OTP","name":{"given_name":"Load","family_name":"User"},"emails":[{"value":"load-{seq}@example.test","type":"work","primary":true}]}')"
