#!/usr/bin/python3
"""One epoch of conf/lenet-mnist.yaml in PyTorch, for comparing speed and peak memory with
`deploy/sparkcnn train conf/lenet-mnist.yaml --set train.epochs=1`.

The same network (LeNet-5 as sparkcnn's lenet5: conv 20 5x5 pad 2, max pool, conv 50 5x5 pad 2,
max pool, linear 500, linear 10, ReLUs), batch 64, SGD lr 0.01 momentum 0.9 weight decay 5e-4,
the training images standardised by their mean and deviation, a shuffled pass over the 60,000
training images, then the 10,000 test images evaluated. MNIST is read from its IDX files into
uint8 tensors held in memory, the lean way (no DataLoader workers). Prints one line:

  lenet_mnist_epoch threads=2 images_per_sec=... test_accuracy=... peak_rss_mb=...

peak_rss_mb is the process's maximum resident set (resource.getrusage), in MiB. Runs with
Debian's python3-torch (`/usr/bin/python3`).
"""
import argparse
import gzip
import os
import resource
import time

import numpy as np
import torch
from torch import nn


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return torch.from_numpy(np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)
                            .reshape(shape).copy())


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 20, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(20, 50, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(2450, 500), nn.ReLU(), nn.Linear(500, 10))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", default=os.path.join(os.path.dirname(__file__),
                                                      "../../../shared/datasets"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    d = os.path.join(a.data_dir, "mnist")
    x_train = idx(os.path.join(d, "train-images-idx3-ubyte.gz"))
    y_train = idx(os.path.join(d, "train-labels-idx1-ubyte.gz")).long()
    x_test = idx(os.path.join(d, "t10k-images-idx3-ubyte.gz"))
    y_test = idx(os.path.join(d, "t10k-labels-idx1-ubyte.gz")).long()
    # mean and deviation from the histogram of byte values: no float copy of the whole set
    counts = sum(np.bincount(c.ravel(), minlength=256)
                 for c in np.array_split(x_train.numpy(), 60)).astype(np.float64)
    values = np.arange(256, dtype=np.float64)
    mean = float((counts * values).sum() / counts.sum())
    std = float(np.sqrt((counts * (values - mean) ** 2).sum() / (counts.sum() - 1)))

    def batch(x):
        return ((x.float() - mean) / std).unsqueeze(1)

    model = lenet5()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()
    start = time.perf_counter()
    order = torch.randperm(len(x_train))
    steps = len(x_train) // a.batch
    model.train()
    for s in range(steps):
        i = order[s * a.batch:(s + 1) * a.batch]
        opt.zero_grad()
        loss_fn(model(batch(x_train[i])), y_train[i]).backward()
        opt.step()
    seconds = time.perf_counter() - start
    model.eval()
    correct = 0
    with torch.no_grad():
        for f in range(0, len(x_test), 256):
            correct += (model(batch(x_test[f:f + 256])).argmax(1) == y_test[f:f + 256]).sum().item()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"lenet_mnist_epoch threads={a.threads} images_per_sec={steps * a.batch / seconds:.0f}"
          f" test_accuracy={correct / len(x_test):.4f} peak_rss_mb={rss:.0f}")


if __name__ == "__main__":
    main()
