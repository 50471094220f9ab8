#!/usr/bin/env python3
"""The step time of train.aggregation: allreduce on E executors, layer by layer, for the model of
deploy/SCALING.md: reads the layer table of `sparkcnn summary` (parameters and multiply-adds of
each top-level layer, in order) and prints the synchronisation overhead and the efficiency C / T
for several executor counts, with nothing overlapped, with the reduce-scatter overlapping the
backward pass only, and with the all-gather also overlapping the next forward pass.

  deploy/sparkcnn summary conf/models/resnet50.yaml --classes 1000 > resnet50.txt
  deploy/bench/scaling_model.py resnet50.txt

What it assumes (the constants are deploy/SCALING.md's, measured on the benchmark machine;
change them with the options):
- C seconds of compute per step, a third forward and two thirds backward, each layer's share
  of either proportional to its multiply-adds.
- The vector is cut and dealt out as AllReduce.chunks does (chunks of at most 262,144 floats,
  owner k mod E).
- Each task's link sends and receives one float per x + n nanoseconds each way (x: the
  transport's cost per float, n: the wire's), and its sends and receives proceed beside the
  compute, not on its cores.
- Reduce-scatter: a chunk leaves for its owner when backward has made the gradient final from the
  chunk's first element on; every task sends the chunks it does not own in that order, and an
  owner receives its chunk from the E - 1 others. The update (u per float of the task's 1 / E)
  and t_r (the step's small messages) follow the last chunk's arrival.
- All-gather: each owner sends its chunks in the order of the vector to the E - 1 others; the
  next forward pass runs a layer once every chunk that begins before the layer's last parameter
  has arrived.
"""
import argparse
import re
import sys

CHUNK = 1 << 18


def layers(text):
    """(params, multiply-adds) of each top-level layer of a `sparkcnn summary` table."""
    out = []
    for line in text.splitlines():
        t = line.split()
        if len(t) < 5 or t[0] in ("layer", "total") or not re.fullmatch(r"[\d,x]+", t[2]):
            continue
        numbers = [v for v in t[3:] if re.fullmatch(r"[\d,]+", v)]
        if len(numbers) >= 2:
            out.append((int(numbers[0].replace(",", "")), int(numbers[1].replace(",", ""))))
    return out


def chunks(e, n):
    """AllReduce.chunks for a gradient of n floats: (owner, offset, length)."""
    per = e * CHUNK
    pieces = -(-n // per) * e
    size = max(1, -(-n // pieces))
    return [(k % e, at, min(size, n - at)) for k, at in enumerate(range(0, n, size))]


def step(table, e, c, x, n, u, t_r, overlap_rs, overlap_ag):
    """Seconds of one step in the steady state."""
    r = (x + n) * 1e-9  # seconds per float on one link, each way
    total = sum(p for p, _ in table)
    macs = sum(m for _, m in table)
    starts = []
    at = 0
    for p, _ in table:
        starts.append(at)
        at += p
    cs = chunks(e, total)
    c_f, c_b = c / 3, 2 * c / 3
    exchange = 2 * (e - 1) / e * total * r

    # all-gather of the previous step's update, beside this step's forward pass; seen from task
    # 0, which has its own chunks already
    if overlap_ag and e > 1:
        owner_free = [0.0] * e  # when each owner has sent its chunks so far to the E - 1 others
        link_free = 0.0  # when task 0 has received the others' chunks so far
        arrived = []
        for o, off, ln in cs:
            if o == 0:
                arrived.append(0.0)
                continue
            owner_free[o] += (e - 1) * ln * r
            link_free += ln * r
            arrived.append(max(owner_free[o], link_free))
        t = 0.0
        k = 0
        ready = 0.0
        for (p, m), s in zip(table, starts):
            while k < len(cs) and cs[k][1] < s + max(p, 1):
                ready = max(ready, arrived[k])
                k += 1
            t = max(t, ready) + c_f * m / macs
        forward = t
    else:
        forward = c_f + (exchange / 2 if e > 1 else 0)

    # reduce-scatter during (or after) the backward pass
    final = {}  # first parameter of a layer -> when backward has made the gradient final from it
    t = 0.0
    for (p, m), s in reversed(list(zip(table, starts))):
        t += c_b * m / macs
        final[s] = t
    done_b = t
    if overlap_rs and e > 1:
        send_free = 0.0  # when a task has sent the chunks final so far (its (E - 1) / E of them)
        recv_free = [0.0] * e  # when each owner has received its chunks so far from the others
        end = done_b
        for o, off, ln in reversed(cs):
            ready = final[max(s for s in final if s <= off)]
            send_free = max(send_free, ready) + (e - 1) / e * ln * r
            recv_free[o] = max(recv_free[o], ready) + (e - 1) * ln * r
            end = max(end, recv_free[o], send_free)
        backward = end
    else:
        backward = done_b + (exchange / 2 if e > 1 else 0)
    return forward + backward + t_r + u * 1e-9 * total / e


def main():
    a = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    a.add_argument("summary", help="the output of `sparkcnn summary` for the model")
    a.add_argument("--compute", type=float, default=1.0, help="C, seconds per step (1)")
    a.add_argument("--x", type=float, default=6.0, help="transport ns per float (6)")
    a.add_argument("--wire", type=float, default=3.2, help="n, wire ns per float (3.2: 10 Gb/s)")
    a.add_argument("--u", type=float, default=4.0, help="update ns per float (4)")
    a.add_argument("--t-r", type=float, default=0.008, help="t_r, seconds per step (0.008)")
    a.add_argument("--executors", default="2,16,64", help="E values (2,16,64)")
    o = a.parse_args()
    with open(o.summary) if o.summary != "-" else sys.stdin as f:
        table = layers(f.read())
    print(
        "%d layers, %s floats; C = %g s, x = %g ns, n = %g ns, u = %g ns, t_r = %g s"
        % (len(table), f"{sum(p for p, _ in table):,}", o.compute, o.x, o.wire, o.u, o.t_r)
    )
    print("E  overhead_s  efficiency  rs_hidden_overhead_s  efficiency  both_hidden_overhead_s  efficiency")
    for e in (int(v) for v in o.executors.split(",")):
        row = [str(e)]
        for rs, ag in ((False, False), (True, False), (True, True)):
            t = step(table, e, o.compute, o.x, o.wire, o.u, o.t_r, rs, ag)
            row += ["%.3f" % (t - o.compute), "%.0f%%" % (100 * o.compute / t)]
        print("  ".join(row))


if __name__ == "__main__":
    main()
