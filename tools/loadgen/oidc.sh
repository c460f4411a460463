#!/usr/bin/env bash
# The OAuth/portal load run, iic beside its peers, with one load program
# (tools/loadgen). It starts on loopback, each on free ports and in a
# temporary directory that is removed at the end:
#   iic on SQLite (a fresh data dir), and on PostgreSQL when
#       IIC_BENCH_POSTGRES_URL (else IIC_TEST_POSTGRES_URL) is set (a fresh
#       schema, dropped at the end), each set up by loadgen --scenario setup;
#   Dex when DEX_BIN is set (SQLite storage; the bench client bench-cli;
#       users u10 for the password grant and r0…r31 (or one per client
#       beyond 32), one per refresh worker, password "password");
#   Ory Hydra when HYDRA_BIN is set (memory storage; a client_credentials
#       client created through its admin API).
# Then it runs each scenario (device, refresh, client-credentials, password,
# agency-credentials: see tools/loadgen's doc comment) against each server
# that offers it, CONCURRENCY clients for DURATION, RUNS times (the targets
# alternating within each run), records the load average with each run, and
# prints the medians, the servers' CPU per request, the load program's own
# CPU per request and the iic/peer ratios in one table.
#
# CPU pinning: when taskset exists and there are at least 2 CPUs (PIN=0
# turns it off), every server under test (iic, Dex, Hydra alike) runs on
# CPU 1 and the load program on CPU 0, so that the two never compete for a
# core and each ratio compares the servers on the same one core (Go sizes
# GOMAXPROCS to the affinity mask: 1). Other processes on the machine are
# not pinned and still share both cores: CPU per request is the figure
# that stays comparable under load.
#
#   DEX_BIN=/path/dex HYDRA_BIN=/path/hydra IIC_BENCH_POSTGRES_URL='postgres://…' \
#     tools/loadgen/oidc.sh [DURATION] [RUNS] [CONCURRENCY]
#
# Defaults: 10s, 3, 8. IIC_BIN=path runs a prebuilt iic; SCENARIOS picks
# scenarios; KEEP_RESULTS=file copies the raw results there.
set -euo pipefail
cd "$(dirname "$0")/../.."
dur=${1:-10s}
runs=${2:-3}
conc=${3:-8}
scenarios=${SCENARIOS:-device refresh client-credentials password agency-credentials}
pgurl=${IIC_BENCH_POSTGRES_URL:-${IIC_TEST_POSTGRES_URL:-}}

server_pin=() client_pin=() server_cores=$(nproc) # the cores a server under test may use
if [ "${PIN:-1}" != 0 ] && command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  server_pin=(taskset -c 1) client_pin=(taskset -c 0)
  server_cores=1
fi

tmp=$(mktemp -d)
pids=() schema=
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "$schema" ]; then psql -q "$pgurl" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# freeport prints a loopback port nothing listens on.
freeport() {
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
# waitfor URL PID NAME: until URL answers 2xx (60 s), while PID lives.
waitfor() {
  for _ in $(seq 1 600); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 exited; its log:" >&2; tail -20 "$tmp/$3.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$3 not ready after 60 s" >&2
  exit 1
}

if [ -n "${IIC_BIN:-}" ]; then cp "$IIC_BIN" "$tmp/iic"; else go build -o "$tmp/iic" ./cmd/iic; fi
go build -o "$tmp/loadgen" ./tools/loadgen

declare -A url pid state
targets=()

start_iic() { # name database-url
  local port; port=$(freeport)
  "${server_pin[@]}" "$tmp/iic" serve --listen "127.0.0.1:$port" --data-dir "$tmp/$1" --database-url "$2" --log-level error >"$tmp/$1.log" 2>&1 &
  pids+=($!) pid[$1]=$! url[$1]="http://127.0.0.1:$port"
  waitfor "${url[$1]}/readyz" "${pid[$1]}" "$1"
  "$tmp/loadgen" --url "${url[$1]}" --creds "$tmp/$1/root-credentials.json" --scenario setup --state "$tmp/$1.state" >/dev/null
  state[$1]=$tmp/$1.state
  targets+=("$1")
}

start_iic iic-sqlite ""
if [ -n "$pgurl" ]; then
  schema=iic_bench_$$_$RANDOM
  psql -q "$pgurl" -c "CREATE SCHEMA $schema" >/dev/null
  case $pgurl in *\?*) sep='&' ;; *) sep='?' ;; esac
  start_iic iic-pg "$pgurl${sep}search_path=$schema"
fi

if [ -n "${DEX_BIN:-}" ]; then
  port=$(freeport)
  mkdir -p "$tmp/dex"
  # bcrypt (cost 10) of "password": every bench user's password.
  hash='$2a$10$TDTyPfoUlredBafmTrM5rOKIy2ABJoElflCPoTo8ZbhRP2.Y7eRWi'
  {
    cat <<YAML
issuer: http://127.0.0.1:$port/dex
storage:
  type: sqlite3
  config:
    file: $tmp/dex/dex.db
web:
  http: 127.0.0.1:$port
logger:
  level: "error"
oauth2:
  grantTypes: ["authorization_code", "refresh_token", "password", "urn:ietf:params:oauth:grant-type:device_code"]
  skipApprovalScreen: true
  passwordConnector: local
expiry:
  deviceRequests: "5m"
  refreshTokens:
    disableRotation: false
    reuseInterval: "3s"
staticClients:
  - id: bench-cli
    name: bench-cli
    public: true
    redirectURIs: ["/device/callback"]
enablePasswordDB: true
staticPasswords:
  - {email: "u10@example.com", hash: "$hash", username: "u10", userID: "00000000-0000-0000-0000-000000000010"}
YAML
    for i in $(seq 0 $((conc > 32 ? conc - 1 : 31))); do echo "  - {email: \"r$i@example.com\", hash: \"$hash\", username: \"r$i\", userID: \"r$i\"}"; done
  } >"$tmp/dex/config.yaml"
  (cd "$tmp/dex" && exec "${server_pin[@]}" "$DEX_BIN" serve config.yaml) >"$tmp/dex.log" 2>&1 &
  pids+=($!) pid[dex]=$! url[dex]="http://127.0.0.1:$port/dex"
  waitfor "${url[dex]}/.well-known/openid-configuration" "${pid[dex]}" dex
  targets+=(dex)
fi

if [ -n "${HYDRA_BIN:-}" ]; then
  pub=$(freeport) adm=$(freeport)
  while [ "$adm" = "$pub" ]; do adm=$(freeport); done
  mkdir -p "$tmp/hydra"
  (cd "$tmp/hydra" && exec "${server_pin[@]}" env DSN=memory URLS_SELF_ISSUER="http://127.0.0.1:$pub" SECRETS_SYSTEM=bench-only-system-secret-0123456789 \
    SERVE_PUBLIC_HOST=127.0.0.1 SERVE_PUBLIC_PORT="$pub" SERVE_ADMIN_HOST=127.0.0.1 SERVE_ADMIN_PORT="$adm" LOG_LEVEL=error \
    "$HYDRA_BIN" serve all --dev) >"$tmp/hydra.log" 2>&1 &
  pids+=($!) pid[hydra]=$! url[hydra]="http://127.0.0.1:$pub" url[hydra-admin]="http://127.0.0.1:$adm"
  waitfor "${url[hydra]}/health/ready" "${pid[hydra]}" hydra
  targets+=(hydra)
fi

tck=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# With perf (Debian's linux-perf; PERF=0 turns it off), each password run
# also samples the server process's CPU (cpu-clock, with call stacks) and
# counts the share of its samples inside the password hash: iic's
# internal/argon2id, Dex's bcrypt/blowfish. This measures the hash's share
# directly, on the server's own core and under the load, where the
# hash-us figure times one hash in the load program afterwards.
perf=
if [ "${PERF:-1}" != 0 ] && command -v perf >/dev/null && perf record -q -e cpu-clock -o "$tmp/perf.probe" true >/dev/null 2>&1; then perf=perf; fi
# hash_samples FILE: the percentage of FILE's samples with a hash frame.
hash_samples() {
  perf script -i "$1" 2>/dev/null | awk 'BEGIN {RS = ""} {n++; if ($0 ~ /internal\/argon2id\.|x\/crypto\/bcrypt\.|x\/crypto\/blowfish\./) h++}
    END {if (n) printf "%.1f", 100 * h / n; else print "-"}'
}
results=$tmp/results # run scenario target rps cpu-us/req hash-us load1 client-cpu-us/req hash-sampled-%
echo "targets: ${targets[*]}; $conc clients, $dur per scenario, $runs runs; pinned: ${server_pin[*]:-no}${server_pin[*]:+ (load program: ${client_pin[*]})}"
for run in $(seq 1 "$runs"); do
  for sc in $scenarios; do
    for t in "${targets[@]}"; do
      args=(--url "${url[$t]}" --scenario "$sc" --concurrency "$conc" --duration "$dur")
      case $t in
      iic-*) args+=(--peer iic --state "${state[$t]}") ;;
      dex) [[ $sc == client-credentials || $sc == agency-credentials ]] && continue; args+=(--peer dex) ;;
      hydra) [[ $sc != client-credentials ]] && continue; args+=(--peer hydra --admin-url "${url[hydra-admin]}") ;;
      esac
      load=$(cut -d' ' -f1 /proc/loadavg)
      sampler=
      if [ "$sc" = password ] && [ -n "$perf" ]; then
        perf record -q -e cpu-clock -F 999 -g -p "${pid[$t]}" -o "$tmp/perf.$t.$run" >/dev/null 2>&1 &
        sampler=$!
        sleep 0.2
      fi
      before=$(cpu "${pid[$t]}")
      out=$("${client_pin[@]}" "$tmp/loadgen" "${args[@]}" 2>&1) || { echo "run $run $sc $t failed: $out" >&2; exit 1; }
      ticks=$(($(cpu "${pid[$t]}") - before))
      sampled=-
      if [ -n "$sampler" ]; then
        kill -INT "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
        sampled=$(hash_samples "$tmp/perf.$t.$run")
      fi
      rps=$(sed -n 's/.*rps=\([0-9a-z/]*\).*/\1/p' <<<"$out" | head -n1)
      n=$(sed -n 's/^requests=\([0-9]*\) errors=\([0-9]*\).*/\1 \2/p' <<<"$out")
      per=-
      if [ -n "$n" ]; then
        read -r reqs errs <<<"$n"
        [ "$errs" -gt 0 ] && echo "run $run $sc $t: $errs errors: $(grep '^first error' <<<"$out")" >&2
        [ "$reqs" -gt 0 ] && per=$((ticks * 1000000 / tck / reqs))
      fi
      hash=$(sed -n 's/.*hash-us=\([0-9]*\).*/\1/p' <<<"$out")
      ccpu=$(sed -n 's/.*client-cpu-us=\([0-9]*\).*/\1/p' <<<"$out" | head -n1)
      echo "$run $sc $t ${rps:-?} $per ${hash:--} $load ${ccpu:--} $sampled" >>"$results"
      printf 'run %s %-18s %-10s rps=%-6s cpu/req=%sus loadgen-cpu/req=%sus load=%s\n' "$run" "$sc" "$t" "${rps:-?}" "$per" "${ccpu:--}" "$load"
    done
  done
  echo "uptime after run $run: $(uptime)"
done
[ -z "${KEEP_RESULTS:-}" ] || cp "$results" "$KEEP_RESULTS"

# median COLUMN SCENARIO TARGET: the median of a results column ("-" if none).
median() {
  awk -v c="$1" -v s="$2" -v t="$3" '$2 == s && $3 == t && $c ~ /^[0-9.]+$/ {print $c}' "$results" | sort -n |
    awk '{v[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
na() { awk -v s="$1" -v t="$2" '$2 == s && $3 == t && $4 == "n/a" {f = 1} END {print f ? "n/a" : "-"}' "$results"; }
cell() { local m; m=$(median 4 "$1" "$2"); [ "$m" = - ] && m=$(na "$1" "$2"); echo "$m"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.1fx", a / b; else print "-"}'; }
peer_of() { case $1 in client-credentials) echo hydra ;; agency-credentials) echo - ;; *) echo dex ;; esac; }

echo
echo "medians of $runs runs, $conc clients, $dur each (requests/s; the server process's CPU per request / the load program's)"
printf '%-19s | %-20s | %-20s | %-20s | %-20s | %-8s | %-8s\n' scenario "iic SQLite" "iic PostgreSQL" Dex Hydra "SQLite/peer" "PG/peer"
for sc in $scenarios; do
  row=() 
  for t in iic-sqlite iic-pg dex hydra; do
    v=$(cell "$sc" "$t") c=$(median 5 "$sc" "$t") l=$(median 8 "$sc" "$t")
    [ "$c" = - ] && row+=("$v") || row+=("$v (${c}/${l}us)")
  done
  p=$(peer_of "$sc")
  pv=-; [ "$p" != - ] && pv=$(median 4 "$sc" "$p")
  printf '%-19s | %-20s | %-20s | %-20s | %-20s | %-8s | %-8s\n' "$sc" "${row[@]}" \
    "$(ratio "$(median 4 "$sc" iic-sqlite)" "$pv")" "$(ratio "$(median 4 "$sc" iic-pg)" "$pv")"
done
if [[ " $scenarios " == *" password "* ]]; then
  echo
  echo "password sign-ins: the hash's share (one hash's median CPU time, timed by loadgen after the load,"
  echo "over the server's CPU per sign-in),"
  echo "sign-ins per second per core (1 / CPU per sign-in) and the run's rate against the hash ceiling (the server's cores / one hash)"
  for t in iic-sqlite iic-pg dex; do
    h=$(median 6 password "$t") c=$(median 5 password "$t") r=$(median 4 password "$t") p=$(median 9 password "$t")
    [ "$h" = - ] && continue
    [ "$p" = - ] || echo "  $t: samples of the server's CPU inside the hash (perf, under the load): ${p}% (median of $runs runs)"
    awk -v t="$t" -v h="$h" -v c="$c" -v r="$r" -v cores="$server_cores" 'BEGIN {
      printf "  %-10s hash %.1f ms; CPU/sign-in %.1f ms; hash share %.0f%%; %.1f sign-ins/s/core; %s/s of a %.1f/s ceiling (%.0f%%)\n",
        t, h / 1000, c / 1000, (c > 0 ? 100 * h / c : 0), (c > 0 ? 1e6 / c : 0), r, cores * 1e6 / h, 100 * r * h / (cores * 1e6) }'
  done
fi
echo "load average during the runs: $(awk '{print $7}' "$results" | sort -n | sed -n '1p;$p' | paste -sd- -) (nproc $(nproc))"
