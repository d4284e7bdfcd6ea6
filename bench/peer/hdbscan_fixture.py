"""Writes test/cluster/fixtures/hdbscan-reference.json: seeded 2-d blobs with noise and the labels that the
reference hdbscan library gives for several settings. Run with the peer venv: .venv-peer/bin/python (bench/peer/setup.sh makes it)."""
import json
import sys

import hdbscan
import numpy as np

rng = np.random.default_rng(7)
centers = np.array([[0, 0], [6, 1], [3, 7], [9, 8], [4.5, 3.5]])
spreads = [0.6, 0.9, 0.5, 1.2, 0.3]
sizes = [60, 50, 40, 70, 25]
pts = [c + rng.normal(scale=s, size=(n, 2)) for c, s, n in zip(centers, spreads, sizes)]
pts.append(rng.uniform(-3, 12, size=(25, 2)))
X = np.round(np.vstack(pts), 4).astype(np.float64)

cases = []
for mcs, ms, method in [(10, 10, "eom"), (5, 3, "eom"), (5, 3, "leaf"), (15, 5, "eom"), (8, 2, "leaf"), (4, 1, "eom")]:
    c = hdbscan.HDBSCAN(min_cluster_size=mcs, min_samples=ms, cluster_selection_method=method, algorithm="generic")
    c.fit(X)
    cases.append({
        "minClusterSize": mcs,
        "minSamples": ms,
        "method": method,
        "labels": c.labels_.tolist(),
        "probabilities": np.round(c.probabilities_, 6).tolist(),
    })
out = {"source": f"hdbscan {hdbscan.__version__ if hasattr(hdbscan, '__version__') else ''} (algorithm=generic)", "points": X.tolist(), "cases": cases}
json.dump(out, open(sys.argv[1], "w"))
print("cases", [(c["minClusterSize"], c["minSamples"], c["method"], max(c["labels"]) + 1, c["labels"].count(-1)) for c in cases])
