#!/usr/bin/python3
"""The reference system for `deploy/sparkcnn bench-augment`: torchvision with PIL on the CPU, the
same augmentation pipelines on the same inputs, printing lines in the same format.

Needs Debian's torchvision: `apt-get install -y python3-torchvision` (runs with /usr/bin/python3).
Usage: augment_reference.py [--threads N] [--seconds S] [--images DIR] [--pipelines A1,A2]
Prints one line per pipeline:
  `A1 cifar_style threads=1 images_per_sec=... images_per_sec_per_core=... images_per_cpu_sec=...`

A1  1000 random 32x32x3 uint8 images (numpy, seed 42), per image as torchvision's CIFAR10 dataset:
    Image.fromarray -> RandomCrop(32, padding=4) -> RandomHorizontalFlip -> ToTensor ->
    Normalize(CIFAR-10 mean and std)
A2  the JPEG files (*.jpg, *.jpeg, sorted) under DIR (default
    ../shared/datasets/hymenoptera_data/train; the GIF placeholder is left out), read into memory
    first; per image as ImageFolder: Image.open(BytesIO(bytes)).convert('RGB') -> RandomResizedCrop(224)
    -> RandomHorizontalFlip -> ColorJitter(0.4, 0.4, 0.4, 0.1) -> ToTensor -> Normalize(ImageNet)

Threads: N worker processes (multiprocessing, fork), each with torch.set_num_threads(1) as a
DataLoader worker has, each on its own share of the images (image i goes to worker i mod N). Each
warms up for a third of the time (at least one pass over its share), then all count images for S
seconds from a common start (a barrier). images_per_sec is the sum of the workers' rates,
images_per_sec_per_core that sum / N, images_per_cpu_sec the images counted over the CPU time
the workers spent from the common start until each stopped (time.process_time): on a busy machine
it compares with bench-augment's figure of the same name where the wall-clock rates do not.
"""
import argparse, glob, io, multiprocessing as mp, os, time

import numpy as np
import torch
from PIL import Image
from torchvision import transforms as T


def cifar_pass(images):
    tf = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
                    T.Normalize((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))])

    def run():
        for a in images:
            tf(Image.fromarray(a))
        return len(images)
    return run


def imagenet_pass(files):
    tf = T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(),
                    T.ColorJitter(0.4, 0.4, 0.4, 0.1), T.ToTensor(),
                    T.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])

    def run():
        for b in files:
            tf(Image.open(io.BytesIO(b)).convert("RGB"))
        return len(files)
    return run


def worker(args):
    pipeline, items, seconds, barrier, rates, counts, cpus, k = args
    torch.set_num_threads(1)
    torch.manual_seed(k)
    run = cifar_pass(items) if pipeline == "A1" else imagenet_pass(items)
    warm = time.perf_counter() + seconds / 3
    while True:
        run()
        if time.perf_counter() >= warm:
            break
    barrier.wait()
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < seconds:
        n += run()
    rates[k] = n / (time.perf_counter() - t0)
    counts[k] = n
    cpus[k] = time.process_time() - c0


def images_per_sec(pipeline, items, threads, seconds):
    barrier = mp.Barrier(threads)
    rates, counts, cpus = mp.Array("d", threads), mp.Array("d", threads), mp.Array("d", threads)
    procs = [mp.Process(target=worker, args=((pipeline, items[k::threads], seconds, barrier, rates,
                                               counts, cpus, k),))
             for k in range(threads)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"a {pipeline} worker failed (exit status {p.exitcode})")
    return sum(rates), sum(counts) / sum(cpus)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--images", default=os.path.normpath(
        os.path.join(here, "../../../shared/datasets/hymenoptera_data/train")))
    ap.add_argument("--pipelines", default="A1,A2")
    a = ap.parse_args()
    if a.threads < 1:
        raise SystemExit(f"--threads must be >= 1, got {a.threads}")
    if not 0 < a.seconds <= 3600:
        raise SystemExit(f"--seconds must be in (0, 3600], got {a.seconds}")
    pipelines = a.pipelines.split(",")
    for p in pipelines:
        if p not in ("A1", "A2"):
            raise SystemExit(f"unknown pipeline {p}; known: A1, A2")
    mp.set_start_method("fork")
    for p in pipelines:
        if p == "A1":
            items = list(np.random.default_rng(42).integers(0, 256, (1000, 32, 32, 3), dtype=np.uint8))
            name = "cifar_style"
        else:
            if not os.path.isdir(a.images):
                raise SystemExit(f"--images {a.images} is not a folder; A2 needs a folder of JPEG files")
            paths = sorted(f for f in glob.glob(os.path.join(a.images, "**", "*"), recursive=True)
                           if os.path.isfile(f) and f.lower().endswith((".jpg", ".jpeg")))
            if not paths:
                raise SystemExit(f"--images {a.images} holds no JPEG files (*.jpg, *.jpeg)")
            items = [open(f, "rb").read() for f in paths]
            name = "imagenet_style"
        rate, per_cpu = images_per_sec(p, items, a.threads, a.seconds)
        print(f"{p} {name} threads={a.threads} images_per_sec={rate:.1f} "
              f"images_per_sec_per_core={rate / a.threads:.1f} images_per_cpu_sec={per_cpu:.1f}",
              flush=True)


if __name__ == "__main__":
    main()
