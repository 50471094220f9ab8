#!/usr/bin/env bash
# Submits a training job to a Spark cluster with Spark's own spark-submit: $SPARK_HOME/bin/
# spark-submit when SPARK_HOME is an installed Spark, else org.apache.spark.deploy.SparkSubmit
# from the Spark jars of the build (driver/target/spark-home, `mvn package -Pspark-home`).
#   deploy/submit.sh --master URL [submit options] CONFIG [train options]
#   deploy/submit.sh --master URL [submit options] bench-sync [bench-sync options]
#   deploy/submit.sh --master URL [submit options] resume RUN_DIR [train options]
#   deploy/submit.sh --master URL [submit options] predict MODEL --input PATH --output OUT [...]
#   deploy/submit.sh --master URL [submit options] evaluate MODEL [CONFIG] --out DIR [...]
# CONFIG is shipped along (--files); train options are those of `sparkcnn train` (--data-dir,
# --run-dir, --set k=v ...; the data folder must be readable by the driver and the executors).
# resume continues the run in RUN_DIR from its latest valid checkpoint (`sparkcnn train --resume`),
# e.g. after its driver died. predict and evaluate take the options of `sparkcnn predict` and
# `sparkcnn evaluate`; MODEL is read by the driver, PATH (a Hadoop path) by the executors.
# YARN and Kubernetes need an installed Spark (SPARK_HOME): the build's jars hold neither module.
# Submit options:
#   --master URL            spark://HOST:PORT, yarn, k8s://https://HOST:PORT or local[N]
#   --deploy-mode MODE      client (default: the driver runs here) or cluster
#   --driver-memory M       default 2g
#   --executor-memory M     default 2g
#   --executor-cores N      default 1
#   --total-executor-cores N  standalone: cores of the whole application
#   --num-executors N       YARN and Kubernetes: executors to start
#   --properties-file FILE  Spark settings (spark.authenticate.secret of a standalone cluster);
#                           default: the spark-defaults.conf of deploy/cluster.sh's cluster when
#                           URL is its master
#   --conf KEY=VALUE        any other Spark setting (repeatable)
#   --jar PATH              the application jar (default driver/target/sparkcnn.jar; on
#                           Kubernetes local:///opt/sparkcnn/sparkcnn.jar from deploy/Dockerfile)
#   --ui public             serve the driver's UI on all interfaces (default: 127.0.0.1 only)
#   --insecure              no authentication or encryption (a cluster without a secret)
# Security, on by default: spark.authenticate (YARN and Kubernetes generate a secret per
# application; a standalone cluster needs its shared secret, from --properties-file) and
# spark.network.crypto.enabled. Kryo and the JVM flags of deploy/jvm-options (driver and
# executors) are always set.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cluster_dir="${SPARKCNN_CLUSTER_DIR:-$home/target/cluster}"

die() {
  echo "submit.sh: $*" >&2
  exit 2
}

master="" mode=client driver_mem=2g exec_mem=2g exec_cores=1 total_cores="" num_execs=""
props="" jar="" ui=loopback secure=1
confs=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --master) master="${2:?--master needs a URL}"; shift 2 ;;
    --deploy-mode) mode="${2:?--deploy-mode needs client or cluster}"; shift 2 ;;
    --driver-memory) driver_mem="${2:?--driver-memory needs a size}"; shift 2 ;;
    --executor-memory) exec_mem="${2:?--executor-memory needs a size}"; shift 2 ;;
    --executor-cores) exec_cores="${2:?--executor-cores needs a number}"; shift 2 ;;
    --total-executor-cores) total_cores="${2:?--total-executor-cores needs a number}"; shift 2 ;;
    --num-executors) num_execs="${2:?--num-executors needs a number}"; shift 2 ;;
    --properties-file) props="${2:?--properties-file needs a file}"; shift 2 ;;
    --conf) confs+=(--conf "${2:?--conf needs KEY=VALUE}"); shift 2 ;;
    --jar) jar="${2:?--jar needs a path}"; shift 2 ;;
    --ui) ui="${2:?--ui needs public}"; shift 2 ;;
    --insecure) secure=0; shift ;;
    -h|--help) sed -n '2,35p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --*) die "unknown submit option '$1' (train options go after CONFIG); see --help" ;;
    *) break ;;
  esac
done
[[ -n "$master" ]] || die "--master URL is required (spark://HOST:PORT, yarn, k8s://..., local[N])"
[[ $# -ge 1 ]] || die "CONFIG is required: a job config such as conf/lenet-mnist.yaml"
config="$1"
shift
command=train
case "$config" in
  bench-sync|predict|evaluate|resume) command="$config" ;;
  *) [[ -f "$config" ]] || die "config file $config does not exist" ;;
esac
[[ "$command" == train || "$command" == bench-sync || "$mode" == client ]] \
  || die "$command runs its driver here: --deploy-mode client (it reads local files)"
[[ "$mode" == client || "$mode" == cluster ]] || die "--deploy-mode expects client or cluster, got '$mode'"
[[ "$ui" == loopback || "$ui" == public ]] || die "--ui expects public, got '$ui'"
if [[ "$mode" == cluster && "$master" == local* ]]; then
  die "--deploy-mode cluster needs a cluster master, not $master"
fi

if [[ -z "$jar" ]]; then
  jar="$home/driver/target/sparkcnn.jar"
  if [[ ! -f "$jar" ]]; then
    echo "submit.sh: building $jar (mvn package, tests skipped)..." >&2
    (cd "$home" && mvn -q -B ${SPARKCNN_MVN_OPTS:-} package -DskipTests) >&2
  fi
fi

# spark-submit: an installed Spark, or SparkSubmit from the build's jars.
submit=()
driver_opts="$(grep -v '^\s*$' "$home/deploy/jvm-options" | tr '\n' ' ')"
if [[ -n "${SPARK_HOME:-}" && -x "$SPARK_HOME/bin/spark-submit" ]]; then
  submit=("$SPARK_HOME/bin/spark-submit" --driver-memory "$driver_mem")
  if [[ "$mode" == client ]]; then
    submit+=(--driver-java-options "$driver_opts -Dlog4j2.configurationFile=$home/conf/log4j2.properties")
  fi
else
  spark_home="$home/driver/target/spark-home"
  if [[ ! -f "$spark_home/RELEASE" ]]; then
    echo "submit.sh: assembling $spark_home (mvn package -Pspark-home, tests skipped)..." >&2
    (cd "$home" && mvn -q -B ${SPARKCNN_MVN_OPTS:-} package -DskipTests -Pspark-home) >&2
  fi
  export SPARK_HOME="$spark_home"
  # In client mode this JVM is the driver: it gets the driver's flags and memory itself.
  submit=(java @"$home/deploy/jvm-options" -Xmx"$driver_mem"
    -Dlog4j2.configurationFile="$home/conf/log4j2.properties"
    -cp "$spark_home/jars/*" org.apache.spark.deploy.SparkSubmit)
  [[ "$mode" == cluster ]] && submit+=(--driver-memory "$driver_mem")
fi

args=(--master "$master" --deploy-mode "$mode" --class org.sparkcnn.driver.Main
  --executor-memory "$exec_mem" --executor-cores "$exec_cores"
  --conf spark.serializer=org.apache.spark.serializer.KryoSerializer
  --conf spark.kryo.registrator=org.sparkcnn.driver.KryoSetup
  --conf spark.kryo.registrationRequired=true
  --conf "spark.driver.extraJavaOptions=$driver_opts"
  --conf "spark.executor.extraJavaOptions=$driver_opts")
[[ "$command" == train ]] && args+=(--files "$config")
[[ -n "$total_cores" ]] && args+=(--total-executor-cores "$total_cores")
[[ -n "$num_execs" ]] && args+=(--num-executors "$num_execs")

if [[ $secure -eq 1 ]]; then
  args+=(--conf spark.authenticate=true --conf spark.network.crypto.enabled=true)
  if [[ "$master" == spark://* ]]; then
    if [[ -z "$props" && -f "$cluster_dir/master-url" && "$(cat "$cluster_dir/master-url")" == "$master" ]]; then
      props="$cluster_dir/spark-defaults.conf"
    fi
    [[ -n "$props" ]] || die "a standalone master needs the cluster's secret: give --properties-file FILE with spark.authenticate.secret (deploy/cluster.sh writes one), or --insecure for a cluster without authentication"
    grep -q '^spark.authenticate.secret' "$props" \
      || die "$props has no spark.authenticate.secret line; the standalone cluster's secret is needed"
  fi
else
  echo "submit.sh: warning: --insecure: no authentication and no encryption" >&2
fi
[[ -n "$props" ]] && args+=(--properties-file "$props")

# The UI on loopback: SPARK_LOCAL_IP is the address Spark's web UIs bind to. For a driver here
# that serves executors elsewhere, its RPC and block manager are bound to all interfaces and
# advertised under this machine's name instead.
if [[ "$ui" == loopback && "$mode" == client ]]; then
  export SPARK_LOCAL_IP=127.0.0.1
  if [[ "$master" != local* && ! "$master" =~ ^spark://(127\.0\.0\.1|localhost): ]]; then
    args+=(--conf spark.driver.bindAddress=0.0.0.0 --conf "spark.driver.host=$(hostname -f 2>/dev/null || hostname)")
  fi
fi

if [[ "$command" == resume ]]; then
  exec "${submit[@]}" "${args[@]}" "${confs[@]}" "$jar" train --resume "$@"
fi
if [[ "$command" != train ]]; then
  exec "${submit[@]}" "${args[@]}" "${confs[@]}" "$jar" "$command" "$@"
fi
# In cluster mode the driver finds the shipped config in its working directory.
app_config="$config"
[[ "$mode" == cluster ]] && app_config="$(basename "$config")"
exec "${submit[@]}" "${args[@]}" "${confs[@]}" "$jar" train "$app_config" "$@"
