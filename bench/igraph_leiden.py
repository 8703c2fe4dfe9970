#!/usr/bin/python3
"""Runs igraph's Leiden (CPM objective, unit node weights) on a caselink binary edge list.

Usage: /usr/bin/python3 bench/igraph_leiden.py EDGES.bin --resolution 0.1 --seed 1 \
           --iterations 2 --membership OUT.bin

Edge list format (little-endian): uint32 nodeCount, uint32 edgeCount, uint32 a[edgeCount],
uint32 b[edgeCount], float64 weight[edgeCount].

--iterations N >= 0 is passed to community_leiden as n_iterations. N < 0 means "until stable"; because
igraph 0.10's own n_iterations=-1 stops after the first iteration that changes something (igraph issue
#2798), it is emulated here by calling community_leiden(n_iterations=1, initial_membership=previous) until
the membership no longer changes.

Prints one JSON object: seconds and cpuSeconds (Leiden only, wall and process CPU), buildSeconds (graph construction), iterations, clusters,
quality (igraph's CPM quality: sum_c (2 w_in(c) - gamma n_c^2) / 2W), maxRssKb (peak resident memory of
this process), igraphVersion. Writes the membership as int32 to --membership.
"""
import argparse
import json
import random
import resource
import sys
import time
from array import array

import igraph


def read_edges(path):
    with open(path, "rb") as f:
        header = array("I")
        header.frombytes(f.read(8))
        if sys.byteorder != "little":
            header.byteswap()
        n, m = header[0], header[1]
        a = array("I")
        a.frombytes(f.read(4 * m))
        b = array("I")
        b.frombytes(f.read(4 * m))
        w = array("d")
        w.frombytes(f.read(8 * m))
    if sys.byteorder != "little":
        a.byteswap()
        b.byteswap()
        w.byteswap()
    return n, a, b, w


def cpm_quality(n, a, b, w, membership, gamma):
    total = 0.0
    internal = 0.0
    for i in range(len(w)):
        total += w[i]
        if membership[a[i]] == membership[b[i]]:
            internal += 2 * w[i]
    sizes = {}
    for c in membership:
        sizes[c] = sizes.get(c, 0) + 1
    penalty = sum(s * s for s in sizes.values())
    return (internal - gamma * penalty) / (2 * total) if total > 0 else 0.0


def canonical(membership):
    ids = {}
    return [ids.setdefault(c, len(ids)) for c in membership]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("edges")
    parser.add_argument("--resolution", type=float, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=2)
    parser.add_argument("--beta", type=float, default=0.01)
    parser.add_argument("--membership", required=True)
    args = parser.parse_args()

    n, a, b, w = read_edges(args.edges)
    t0 = time.perf_counter()
    graph = igraph.Graph(n=n, edges=list(zip(a, b)), directed=False)
    weights = list(w)
    build_seconds = time.perf_counter() - t0

    random.seed(args.seed)
    t0 = time.perf_counter()
    c0 = time.process_time()
    if args.iterations >= 0:
        clustering = graph.community_leiden(
            objective_function="CPM", weights=weights, resolution_parameter=args.resolution,
            beta=args.beta, n_iterations=args.iterations)
        membership = clustering.membership
        iterations = args.iterations
    else:
        membership = None
        iterations = 0
        while True:
            iterations += 1
            clustering = graph.community_leiden(
                objective_function="CPM", weights=weights, resolution_parameter=args.resolution,
                beta=args.beta, n_iterations=1, initial_membership=membership)
            current = canonical(clustering.membership)
            if current == membership:
                break
            membership = current
            if iterations >= 1000:
                break
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - c0

    quality = cpm_quality(n, a, b, w, membership, args.resolution)
    array("i", membership).tofile(open(args.membership, "wb"))
    print(json.dumps({
        "seconds": seconds,
        "cpuSeconds": cpu_seconds,
        "buildSeconds": build_seconds,
        "iterations": iterations,
        "clusters": len(set(membership)),
        "quality": quality,
        "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "igraphVersion": igraph.__version__,
    }))


if __name__ == "__main__":
    main()
