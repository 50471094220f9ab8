#!/usr/bin/env bash
# Integration test on a real Spark standalone cluster (`mvn -B verify` runs it in the driver's
# integration-test phase, so CI does too): starts a master and 2 workers with deploy/cluster.sh,
# submits LeNet-5 on MNIST (conf/lenet-mnist.yaml, 20,000 training images) for 2 epochs with
# deploy/submit.sh, kills one executor JVM during epoch 1, and passes when the run still ends with
# test_accuracy >= 0.97 (on the 10,000 test images), the driver's log shows the lost executor,
# and the same run left alone ends with the same model.scnn, bit for bit. Then the driver itself
# dies: a smaller run (4,000 images, 2 epochs) is submitted twice, once left alone and once with
# its driver JVM killed (kill -9) during epoch 2 and continued with `submit.sh resume RUN_DIR`; the
# test passes when both end with the same model.scnn, bit for bit. Last, repeated faults: the
# first run again, with an executor killed 10 s after its first step and then every 20 to 30 s
# to its end (at least twice); it must end with the model.scnn of the first run left alone. Then
# the first config under train.aggregation: allreduce (the tasks summing among themselves over
# Spark's authenticated, encrypted transport), with an executor killed 10 s after its first step:
# the same model.scnn again. MNIST comes
# from $SPARKCNN_DATA (default ../shared/datasets beside the checkout); without it the test is
# skipped with a message, except under CI=true, where that is a failure.
# SPARKCNN_CLUSTER_TEST_ARGS adds train options to the runs of the first config (e.g. --set
# train.execution=jobs).
# Files (cluster logs, the driver's log, the run folder) stay in target/cluster-test.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${SPARKCNN_DATA:-$home/../shared/datasets}"
out="$home/target/cluster-test"
export SPARKCNN_CLUSTER_DIR="$out/cluster"
port="${SPARKCNN_CLUSTER_TEST_PORT:-7178}"

fail() {
  echo "cluster-test: FAIL: $*" >&2
  exit 1
}

# Waits (at most 5 minutes) until the log $2 has a line matching $1, or the job $job has ended.
await_line() {
  for _ in $(seq 1 600); do
    kill -0 "$job" 2>/dev/null || return 0
    grep -q "$1" "$2" && return 0
    sleep 0.5
  done
}

if [[ ! -f "$data/mnist/train-images-idx3-ubyte.gz" && ! -f "$data/mnist/train-images-idx3-ubyte" ]]; then
  [[ "${CI:-}" == true ]] && fail "MNIST is missing under $data/mnist (CI=true needs it)"
  echo "cluster-test: skipped: MNIST not found under $data/mnist (set SPARKCNN_DATA)"
  exit 0
fi
data="$(cd "$data" && pwd)"

rm -rf "$out"
mkdir -p "$out"
started=$(date +%s)
job=""
cleanup() {
  [[ -n "$job" ]] && kill "$job" 2>/dev/null
  "$home/deploy/cluster.sh" stop > /dev/null || true
}
trap cleanup EXIT
"$home/deploy/cluster.sh" start --workers 2 --cores 1 --memory 2g --port "$port" \
  --webui-port $((port + 1000))

# The job, in the background; its output (stdout and stderr) is the driver's log. A third of
# MNIST's training images for 2 epochs: long enough for a kill inside epoch 1, short enough to run
# it twice.
first=(--set data.train_size=20000 --set train.epochs=2 --set train.partitions=2)
log="$out/driver.log"
# shellcheck disable=SC2086
"$home/deploy/submit.sh" --master "spark://127.0.0.1:$port" --driver-memory 2g \
  --executor-memory 1536m --executor-cores 1 --total-executor-cores 2 \
  "$home/conf/lenet-mnist.yaml" --data-dir "$data" --run-dir "$out/run" \
  "${first[@]}" ${SPARKCNN_CLUSTER_TEST_ARGS:-} > "$log" 2>&1 &
job=$!

# Wait for the second progress line of epoch 1 (a fifth of the epoch), then kill one executor:
# a CoarseGrainedExecutorBackend whose working directory lies in this test's cluster folder.
victim=""
for _ in $(seq 1 600); do
  kill -0 "$job" 2>/dev/null || break
  if [[ $(grep -c '^epoch 1 step ' "$log" || true) -ge 2 ]]; then
    for pid in $(pgrep -f org.apache.spark.executor.CoarseGrainedExecutorBackend || true); do
      if [[ "$(readlink "/proc/$pid/cwd" || true)" == "$SPARKCNN_CLUSTER_DIR"/* ]]; then
        victim=$pid
        break
      fi
    done
    break
  fi
  sleep 1
done
[[ -n "$victim" ]] || { tail -20 "$log" >&2;
  fail "no executor of this cluster found to kill during epoch 1"; }
echo "cluster-test: killing executor pid $victim during epoch 1 ($(grep '^epoch 1 step ' "$log" | tail -1))"
kill -9 "$victim"

status=0
wait "$job" || status=$?
job=""
seconds=$(( $(date +%s) - started ))
grep -E '^epoch [0-9]+:|^final ' "$log" || true
[[ $status -eq 0 ]] || { tail -30 "$log" >&2; fail "the job exited with status $status (log $log)"; }
grep -q -E 'Lost executor|ExecutorLostFailure' "$log" \
  || fail "the driver's log does not show the lost executor (log $log)"
grep -E 'Lost executor|ExecutorLostFailure' "$log" | head -2
accuracy=$(sed -n -E 's/^final test_accuracy=([0-9.]+) .*/\1/p' "$log")
[[ -n "$accuracy" ]] || fail "no final line in the driver's log (log $log)"
awk -v a="$accuracy" 'BEGIN { exit !(a >= 0.97) }' \
  || fail "test_accuracy=$accuracy, expected >= 0.97 (log $log)"
# The same run left alone: the lost executor must not have changed a bit.
"$home/deploy/submit.sh" --master "spark://127.0.0.1:$port" --driver-memory 2g \
  --executor-memory 1536m --executor-cores 1 --total-executor-cores 2 \
  "$home/conf/lenet-mnist.yaml" --data-dir "$data" --run-dir "$out/alone" \
  "${first[@]}" ${SPARKCNN_CLUSTER_TEST_ARGS:-} > "$out/alone.log" 2>&1 || { tail -30 "$out/alone.log" >&2; fail "the run left alone failed"; }
cmp -s "$out/alone/model.scnn" "$out/run/model.scnn" \
  || fail "the model.scnn of the run that lost an executor differs from the run left alone's"
seconds=$(( $(date +%s) - started ))
echo "cluster-test: PASS: test_accuracy=$accuracy after losing executor pid $victim, and the" \
  "model.scnn of the run left alone, bit for bit ($(sha256sum "$out/run/model.scnn" |
  cut -c1-16)); ${seconds}s"

# The driver dies during epoch 2 and the run is resumed: the same bits as a run left alone.
small=(--set data.train_size=4000 --set data.test_size=1000 --set train.epochs=2
  --set train.partitions=2 --set train.seed=7)
submit=("$home/deploy/submit.sh" --master "spark://127.0.0.1:$port" --driver-memory 2g
  --executor-memory 1536m --executor-cores 1 --total-executor-cores 2)
"${submit[@]}" "$home/conf/lenet-mnist.yaml" --data-dir "$data" --run-dir "$out/whole" \
  "${small[@]}" > "$out/whole.log" 2>&1 \
  || { tail -30 "$out/whole.log" >&2; fail "the uninterrupted run failed"; }
# submit.sh execs spark-submit, which execs the driver's JVM: $job is the driver
"${submit[@]}" "$home/conf/lenet-mnist.yaml" --data-dir "$data" --run-dir "$out/killed" \
  "${small[@]}" > "$out/killed.log" 2>&1 &
job=$!
await_line '^epoch 2 step ' "$out/killed.log"
grep -q '^epoch 2 step ' "$out/killed.log" && kill -0 "$job" 2>/dev/null \
  || { tail -20 "$out/killed.log" >&2; fail "the run to kill ended before epoch 2"; }
echo "cluster-test: killing the driver (pid $job) during epoch 2" \
  "($(grep '^epoch 2 step ' "$out/killed.log" | tail -1))"
kill -9 "$job"
wait "$job" 2>/dev/null || true
job=""
"${submit[@]}" resume "$out/killed" > "$out/resumed.log" 2>&1 \
  || { tail -30 "$out/resumed.log" >&2; fail "the resumed run failed (log $out/resumed.log)"; }
grep -E '^resuming|^final ' "$out/resumed.log" || true
cmp -s "$out/whole/model.scnn" "$out/killed/model.scnn" \
  || fail "the resumed run's model.scnn differs from the uninterrupted run's"
seconds=$(( $(date +%s) - started ))
echo "cluster-test: PASS: a driver killed during epoch 2 and resumed gives the uninterrupted" \
  "model.scnn, bit for bit ($(sha256sum "$out/whole/model.scnn" | cut -c1-16)); ${seconds}s in all"

# Repeated faults: an executor of this cluster killed every 20-40 s through the run.
executor() {
  for pid in $(pgrep -f org.apache.spark.executor.CoarseGrainedExecutorBackend || true); do
    if [[ "$(readlink "/proc/$pid/cwd" || true)" == "$SPARKCNN_CLUSTER_DIR"/* ]]; then
      echo "$pid"
    fi
  done | shuf -n 1
}
# The first run's config again (its run left alone is the reference), killed from its first step.
"${submit[@]}" "$home/conf/lenet-mnist.yaml" --data-dir "$data" --run-dir "$out/repeated" \
  "${first[@]}" ${SPARKCNN_CLUSTER_TEST_ARGS:-} > "$out/repeated.log" 2>&1 &
job=$!
await_line '^epoch 1 step ' "$out/repeated.log"
# The first kill 10 s after the first step, then one every 20-30 s: each restart lengthens the
# run, so that a run of about a minute on a quiet machine still sees at least two.
kills=0
pause=10
while kill -0 "$job" 2>/dev/null; do
  for _ in $(seq 1 "$pause"); do
    kill -0 "$job" 2>/dev/null || break 2
    sleep 1
  done
  victim="$(executor)"
  [[ -n "$victim" ]] || continue # the last one killed is still being replaced
  echo "cluster-test: killing executor pid $victim after ${pause}s" \
    "($(grep -E '^epoch [0-9]+ step ' "$out/repeated.log" | tail -1))"
  kill -9 "$victim" 2>/dev/null && kills=$((kills + 1))
  pause=$((20 + RANDOM % 11))
done
status=0
wait "$job" || status=$?
job=""
[[ $status -eq 0 ]] || { tail -30 "$out/repeated.log" >&2;
  fail "the run with repeated executor kills exited with status $status (log $out/repeated.log)"; }
[[ $kills -ge 2 ]] || fail "only $kills executor(s) killed during the run; expected at least 2"
cmp -s "$out/alone/model.scnn" "$out/repeated/model.scnn" \
  || fail "the model.scnn of the run with $kills executor kills differs from the uninterrupted run's"
seconds=$(( $(date +%s) - started ))
echo "cluster-test: PASS: $kills executors killed 10 s after the first step, then 20-30 s apart, the uninterrupted model.scnn, bit" \
  "for bit; ${seconds}s in all"

# The tasks sum among themselves (train.aggregation: allreduce), across the executors' JVMs over
# Spark's transport with authentication and encryption, and an executor dies 10 s after the first
# step: the stage restarts from the last state the driver kept (every 100 steps here), and the run
# ends with the first run's model.scnn, bit for bit.
"${submit[@]}" "$home/conf/lenet-mnist.yaml" --data-dir "$data" --run-dir "$out/allreduce" \
  "${first[@]}" --set train.aggregation=allreduce --set train.checkpoint_every_steps=100 \
  > "$out/allreduce.log" 2>&1 &
job=$!
await_line '^epoch 1 step ' "$out/allreduce.log"
sleep 10
victim="$(executor)"
[[ -n "$victim" ]] && kill -0 "$job" 2>/dev/null \
  || fail "no executor to kill, or the allreduce run ended within 10 s of its first step"
echo "cluster-test: killing executor pid $victim under allreduce" \
  "($(grep -E '^epoch [0-9]+ step ' "$out/allreduce.log" | tail -1))"
kill -9 "$victim"
status=0
wait "$job" || status=$?
job=""
[[ $status -eq 0 ]] || { tail -30 "$out/allreduce.log" >&2;
  fail "the allreduce run exited with status $status (log $out/allreduce.log)"; }
grep -q 'starting it again' "$out/allreduce.log" \
  || fail "the allreduce run's log does not show its stage started again (log $out/allreduce.log)"
cmp -s "$out/alone/model.scnn" "$out/allreduce/model.scnn" \
  || fail "the model.scnn of the allreduce run differs from the first run's"
seconds=$(( $(date +%s) - started ))
echo "cluster-test: PASS: train.aggregation: allreduce with an executor killed gives the first" \
  "run's model.scnn, bit for bit; ${seconds}s in all"
