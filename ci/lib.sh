# Shell helpers of the scripts that start Entrepôt's servers on loopback
# (ci/ballista.sh, ci/s3.sh, bench/cluster/run.sh). Source it; it defines:
#   fail MESSAGE…   prints "FAIL: MESSAGE" on stderr and exits 1
#   free_port       prints a free TCP port of 127.0.0.1
#   wait_port PORT  waits until something listens on 127.0.0.1:PORT (at most 60 s)

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
