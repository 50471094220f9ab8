#!/usr/bin/env bash
# A Spark standalone cluster on this machine: one master and N workers, separate JVMs on
# 127.0.0.1, started from the Spark jars of the build (driver/target/spark-home, made by
# `mvn package -Pspark-home` from Maven Central; built here when missing). Security is on: a
# secret generated at start (spark.authenticate) and RPC/block-transfer encryption
# (spark.network.crypto.enabled), kept with the other settings in DIR/spark-defaults.conf (mode
# 600), which deploy/submit.sh hands to applications; every port, the web UIs included, is bound
# to 127.0.0.1.
#   deploy/cluster.sh start [--workers N] [--cores C] [--memory M] [--port P] [--webui-port P]
#   deploy/cluster.sh stop
#   deploy/cluster.sh status
# DIR is $SPARKCNN_CLUSTER_DIR (default target/cluster): pids, logs (DIR/logs), the workers'
# folders (DIR/work: executor stdout/stderr), master-url and spark-defaults.conf.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${SPARKCNN_CLUSTER_DIR:-$home/target/cluster}"

usage() {
  sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

die() {
  echo "cluster.sh: $*" >&2
  exit 2
}

# The SPARK_HOME of the build: jars/ and the RELEASE marker Spark's launcher looks for.
spark_home() {
  local sh="$home/driver/target/spark-home"
  if [[ ! -f "$sh/RELEASE" || ! -f "$home/driver/target/sparkcnn.jar" ]]; then
    echo "cluster.sh: assembling $sh (mvn package -Pspark-home, tests skipped)..." >&2
    (cd "$home" && mvn -q -B ${SPARKCNN_MVN_OPTS:-} package -DskipTests -Pspark-home) >&2
  fi
  echo "$sh"
}

alive() {
  [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null
}

# Waits until TCP port $1 on 127.0.0.1 accepts connections or process $2 has died.
wait_port() {
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
      return 0
    fi
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}

positive() { # name value
  [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 expects a positive integer, got '$2'"
}

start() {
  local workers=2 cores=1 memory=2g port=7077 webui=8080
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --workers) workers="${2:?--workers needs a number}"; shift 2 ;;
      --cores) cores="${2:?--cores needs a number}"; shift 2 ;;
      --memory) memory="${2:?--memory needs a size}"; shift 2 ;;
      --port) port="${2:?--port needs a number}"; shift 2 ;;
      --webui-port) webui="${2:?--webui-port needs a number}"; shift 2 ;;
      *) die "unknown option '$1' for start; expected --workers N, --cores C, --memory M (e.g. 2g), --port P, --webui-port P" ;;
    esac
  done
  positive --workers "$workers"
  positive --cores "$cores"
  positive --port "$port"
  positive --webui-port "$webui"
  [[ "$memory" =~ ^[1-9][0-9]*[mMgG]$ ]] || die "--memory expects a size such as 2g or 1536m, got '$memory'"
  if alive "$dir/master.pid"; then
    die "a cluster already runs from $dir (master pid $(cat "$dir/master.pid")); stop it first"
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port on 127.0.0.1 is taken; choose another with --port"
  fi
  local sh
  sh="$(spark_home)"
  rm -rf "$dir"
  mkdir -p "$dir/logs" "$dir/work"
  # The shared secret: the master, the workers (which hand it to their executors) and every
  # application must hold the same one on a standalone cluster.
  (umask 077 && {
    echo "spark.authenticate true"
    echo "spark.authenticate.secret $(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "spark.network.crypto.enabled true"
    # The master's REST submission server takes applications without authentication.
    echo "spark.master.rest.enabled false"
  } > "$dir/spark-defaults.conf")
  # Spark's own logging defaults (INFO, to the log files below).
  local jvm=(@"$home/deploy/jvm-options")
  # SPARK_SCALA_VERSION: what Spark's bin/load-spark-env.sh sets; the workers' launcher needs it
  # to find jars/ when it builds an executor's command.
  local scala
  scala="$(cd "$sh/jars" && ls spark-core_*.jar | sed -E 's/spark-core_([0-9.]+)-.*/\1/')"
  export SPARK_HOME="$sh" SPARK_SCALA_VERSION="$scala" SPARK_LOCAL_IP=127.0.0.1
  nohup java "${jvm[@]}" -Xmx512m -cp "$sh/jars/*" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$port" --webui-port "$webui" \
    --properties-file "$dir/spark-defaults.conf" > "$dir/logs/master.log" 2>&1 < /dev/null &
  echo $! > "$dir/master.pid"
  if ! wait_port "$port" "$(cat "$dir/master.pid")"; then
    tail -20 "$dir/logs/master.log" >&2
    die "the master did not start; its log is $dir/logs/master.log"
  fi
  local url="spark://127.0.0.1:$port"
  echo "$url" > "$dir/master-url"
  for i in $(seq 1 "$workers"); do
    mkdir -p "$dir/work/worker-$i"
    nohup java "${jvm[@]}" -Xmx512m -cp "$sh/jars/*" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --cores "$cores" --memory "$memory" --webui-port $((webui + i)) \
      --work-dir "$dir/work/worker-$i" --properties-file "$dir/spark-defaults.conf" "$url" \
      > "$dir/logs/worker-$i.log" 2>&1 < /dev/null &
    echo $! > "$dir/worker-$i.pid"
  done
  # A worker is ready when the master has registered it.
  for _ in $(seq 1 120); do
    local registered
    registered=$(grep -c "Registering worker" "$dir/logs/master.log" || true)
    [[ "$registered" -ge "$workers" ]] && break
    for i in $(seq 1 "$workers"); do
      alive "$dir/worker-$i.pid" || { tail -20 "$dir/logs/worker-$i.log" >&2;
        die "worker $i died; its log is $dir/logs/worker-$i.log"; }
    done
    sleep 0.5
  done
  [[ "$(grep -c "Registering worker" "$dir/logs/master.log" || true)" -ge "$workers" ]] \
    || die "not all $workers workers registered within a minute; logs in $dir/logs"
  echo "master $url (UI http://127.0.0.1:$webui), $workers workers x $cores cores x $memory; files in $dir"
}

stop() {
  local any=0
  for pidfile in "$dir"/worker-*.pid "$dir/master.pid"; do
    [[ -f "$pidfile" ]] || continue
    if alive "$pidfile"; then
      kill "$(cat "$pidfile")"
      any=1
    fi
  done
  # Give the JVMs their shutdown hooks (workers end their executors), then make sure.
  for _ in $(seq 1 40); do
    local left=0
    for pidfile in "$dir"/worker-*.pid "$dir/master.pid"; do
      alive "$pidfile" && left=1
    done
    [[ $left -eq 0 ]] && break
    sleep 0.25
  done
  for pidfile in "$dir"/worker-*.pid "$dir/master.pid"; do
    [[ -f "$pidfile" ]] || continue
    alive "$pidfile" && kill -9 "$(cat "$pidfile")"
    rm -f "$pidfile"
  done
  [[ $any -eq 1 ]] && echo "stopped the cluster of $dir" || echo "no cluster running from $dir"
}

status() {
  if ! alive "$dir/master.pid"; then
    echo "no cluster running from $dir"
    return 1
  fi
  echo "master $(cat "$dir/master-url") pid $(cat "$dir/master.pid")"
  for pidfile in "$dir"/worker-*.pid; do
    [[ -f "$pidfile" ]] || continue
    local name
    name="$(basename "$pidfile" .pid)"
    if alive "$pidfile"; then
      echo "$name pid $(cat "$pidfile")"
    else
      echo "$name not running (log $dir/logs/$name.log)"
    fi
  done
}

[[ $# -ge 1 ]] || usage
cmd="$1"
shift
case "$cmd" in
  start) start "$@" ;;
  stop) stop ;;
  status) status ;;
  -h|--help|help) usage ;;
  *) die "unknown command '$cmd'; expected start, stop or status" ;;
esac
