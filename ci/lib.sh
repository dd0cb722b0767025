# Shell helpers of the scripts that start Entrepôt's servers on loopback
# (ci/ballista.sh, ci/s3.sh; bench/cluster/run.sh uses the first three). Source it;
# it defines:
#   fail MESSAGE…   prints "FAIL: MESSAGE" on stderr and exits 1
#   free_port       prints a free TCP port of 127.0.0.1
#   wait_port PORT  waits until something listens on 127.0.0.1:PORT (at most 60 s)
#   work_dir, cleanup, start_scheduler, start_executor (below)

fail() { echo "FAIL: $*" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() {
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  fail "nothing listens on port $1 after 60 s"
}

# work_dir NAME: a new temporary directory in WORK, and an exit trap that stops every
# process whose pid is in PIDS, prints the last lines of WORK/*.log when the script
# fails, and removes WORK.
work_dir() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/entrepot-$1.XXXXXX")
  PIDS=()
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    for log in "$WORK"/*.log; do
      [ -f "$log" ] && { echo "--- $log (last lines)"; tail -n 20 "$log"; } >&2
    done
  fi
  rm -rf "$WORK"
  exit "$status"
}

# start_scheduler BIN [ARGS…]: `BIN cluster scheduler` on a free loopback port, logged
# in WORK/scheduler.log; sets SCHED (its port) once it listens.
start_scheduler() {
  local bin=$1
  shift
  SCHED=$(free_port)
  "$bin" cluster scheduler --bind "127.0.0.1:$SCHED" "$@" >"$WORK/scheduler.log" 2>&1 &
  PIDS+=($!)
  wait_port "$SCHED"
}

# start_executor BIN N [ARGS…]: executor N of the scheduler at SCHED on free loopback
# ports, work directory WORK/execN, logged in WORK/executorN.log; sets EXEC_PID once
# its two services listen.
start_executor() {
  local bin=$1 n=$2 flight grpc
  shift 2
  flight=$(free_port)
  grpc=$(free_port)
  mkdir -p "$WORK/exec$n"
  "$bin" cluster executor --scheduler "127.0.0.1:$SCHED" --bind "127.0.0.1:$flight" \
    --grpc-port "$grpc" --work-dir "$WORK/exec$n" "$@" >"$WORK/executor$n.log" 2>&1 &
  EXEC_PID=$!
  PIDS+=("$EXEC_PID")
  wait_port "$flight"
  wait_port "$grpc"
}
