#!/usr/bin/python3
# tsne-sklearn.py -- hold the program tsne to scikit-learn (section 23.1).
# Tangled from chapters/p2-tsne.nw.  Usage:
#   tsne-sklearn.py compare X P Y G PERPLEXITY K T   (files written by tsne)
#   tsne-sklearn.py bench X                          (time the exact method)
import sys, time
import numpy as np
from scipy.spatial.distance import squareform
from sklearn.manifold import TSNE, trustworthiness
from sklearn.manifold._t_sne import _joint_probabilities, _kl_divergence
from sklearn.metrics import pairwise_distances

def compare(args):
    x, p, y = np.loadtxt(args[0]), np.loadtxt(args[1]), np.loadtxt(args[2])
    g = np.loadtxt(args[3])
    with open(args[3]) as f:
        kl = float(f.readline().split("=")[1].split(";")[0])
    perplexity, k, t = float(args[4]), int(args[5]), float(args[6])
    d2 = pairwise_distances(x, squared=True)
    p_sk = squareform(_joint_probabilities(d2, perplexity, 0))
    kl_sk, g_sk = _kl_divergence(y.ravel(), squareform(p, checks=False), 1,
                                 len(x), 2)
    g_sk = g_sk.reshape(-1, 2)
    errs = {"P": np.abs(p - p_sk).max(),
            "KL": abs(kl - kl_sk) / kl_sk,
            "gradient": np.abs(g - g_sk).max() / np.abs(g_sk).max(),
            "T": abs(t - trustworthiness(x, y, n_neighbors=k))}
    print("  against scikit-learn: " + ", ".join(
        "%s %.1e" % (name, e) for name, e in errs.items())
          + " (P relative to its largest entry %.1e)" % (errs["P"] / p_sk.max()))
    return 0 if max(errs.values()) <= 1e-6 else 1
def bench(path):
    x = np.loadtxt(path)
    t0 = time.perf_counter()
    m = TSNE(n_components=2, perplexity=30.0, early_exaggeration=12.0,
             learning_rate="auto", n_iter=1000, init="pca", method="exact",
             random_state=0)
    m.fit_transform(x)
    print("%.3f %.6f %d" % (time.perf_counter() - t0, m.kl_divergence_, m.n_iter_))
    return 0

if __name__ == "__main__":
    mode = sys.argv[1]
    sys.exit(compare(sys.argv[2:]) if mode == "compare" else bench(sys.argv[2]))
