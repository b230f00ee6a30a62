# Shared helpers of the dev/ scripts. Sourced, not run.
# shellcheck shell=bash

DP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DP_STATE="${DP_STATE:-$DP_ROOT/.dev}"
DP_PIDS="$DP_STATE/pids"
DP_LOGS="$DP_STATE/logs"
mkdir -p "$DP_PIDS" "$DP_LOGS"

DP_PG_PORT="${DP_PG_PORT:-5432}"
DP_REDIS_PORT="${DP_REDIS_PORT:-6379}"
DP_KAFKA_PORT="${DP_KAFKA_PORT:-9092}"
DP_KEYCLOAK_PORT="${DP_KEYCLOAK_PORT:-8180}"
DP_KAFKA_VERSION=4.3.1
DP_KEYCLOAK_VERSION=26.7.3

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for SECONDS DESCRIPTION COMMAND...: runs COMMAND until it succeeds or time runs out
wait_for() {
  local secs=$1 what=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@"; do
    if ((SECONDS >= deadline)); then
      say "timed out after ${secs}s waiting for $what"
      return 1
    fi
    sleep 0.5
  done
}

# pid_alive NAME: the process whose PID is in .dev/pids/NAME.pid is running
pid_alive() {
  local f="$DP_PIDS/$1.pid"
  [[ -s $f ]] && kill -0 "$(cat "$f")" 2>/dev/null
}

# stop_pid NAME [SIGNAL]: stops the process we started, by its recorded PID, and waits for it
stop_pid() {
  local name=$1 sig=${2:-TERM} f="$DP_PIDS/$1.pid" pid
  [[ -s $f ]] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    say "stopping $name (pid $pid)"
    kill "-$sig" "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 40))
    while kill -0 "$pid" 2>/dev/null; do
      if ((SECONDS >= deadline)); then
        say "$name did not stop in 40s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
        break
      fi
      sleep 0.2
    done
  fi
  rm -f "$f"
}

# apt_install PACKAGE...: installs Debian packages (as root, or through sudo)
apt_install() {
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  if [[ ! -f "$DP_STATE/.apt-updated" ]]; then
    $sudo apt-get update -qq >/dev/null || die "apt-get update failed"
    touch "$DP_STATE/.apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null \
    || die "apt-get install $* failed"
}

mvnw() { "$DP_ROOT/mvnw" -B -q "$@"; }
