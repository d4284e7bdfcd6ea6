"""BERTopic on precomputed sentence vectors, one model per firm, timed per firm.

Reads <dir>/firms.json ({firms: [{firm_id, texts, offset, n, names}], dim, configs, stopWords}) and <dir>/vectors.f32 (all firms'
rows, float32), writes <dir>/bertopic-<config>.json with per-firm seconds, labels and top-25 keywords.
The embedding model passed to BERTopic raises if it is ever called: every vector comes from the file.
"""
import json
import os
import sys
import time

import numpy as np
from bertopic import BERTopic
from bertopic.backend import BaseEmbedder
from hdbscan import HDBSCAN
from sklearn.feature_extraction.text import CountVectorizer
from umap import UMAP


class NeverCalled(BaseEmbedder):
    def embed(self, documents, verbose=False):
        raise RuntimeError("the benchmark passes precomputed vectors; the embedding model must not be called")


def model_for(config, n, stop_words):
    if config == "default":
        # BERTopic's own defaults, with a fixed UMAP seed so runs repeat (the FAQ's advice).
        umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=42)
        return BERTopic(embedding_model=NeverCalled(), umap_model=umap_model, top_n_words=25)
    if config in ("default-stopwords", "default-callwords"):
        # The defaults with stop words removed the way BERTopic's FAQ advises ("How do I remove stop words?"),
        # a CountVectorizer with a stop list and nothing else changed: scikit-learn's English list, or callthemes's
        # call stop words with the call's speaker and firm names (the vocabulary callthemes's keywords come from).
        umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=42)
        stop = "english" if config == "default-stopwords" else list(stop_words)
        vectorizer = CountVectorizer(stop_words=stop)
        return BERTopic(embedding_model=NeverCalled(), umap_model=umap_model, vectorizer_model=vectorizer, top_n_words=25)
    # "matched": callthemes's clustering and vocabulary settings inside BERTopic (hdbscan's max_cluster_size
    # turns an over-size cluster without sub-clusters into noise, where callthemes keeps it). The stop words
    # include the call's speaker and firm names, as callthemes's do; callthemes's ranking of terms found in
    # >= 3 of a topic's sentences first has no BERTopic setting, so BERTopic keeps plain c-TF-IDF order.
    mcs = max(5, round(n / 50))
    umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=42, n_epochs=50)
    hdbscan_model = HDBSCAN(
        min_cluster_size=mcs,
        min_samples=1,
        cluster_selection_method="eom",
        max_cluster_size=max(mcs, int(0.35 * n)),
        prediction_data=True,
    )
    vectorizer = CountVectorizer(ngram_range=(1, 2), stop_words=list(stop_words), min_df=2)
    return BERTopic(
        embedding_model=NeverCalled(),
        umap_model=umap_model,
        hdbscan_model=hdbscan_model,
        vectorizer_model=vectorizer,
        top_n_words=25,
    )


def main():
    d = sys.argv[1]
    meta = json.load(open(os.path.join(d, "firms.json")))
    vecs = np.fromfile(os.path.join(d, "vectors.f32"), dtype=np.float32).reshape(-1, meta["dim"])
    for config in meta["configs"]:
        out = []
        # The first firm runs twice; its first run (numba compilation) is not counted.
        order = [meta["firms"][0]] + meta["firms"]
        for i, f in enumerate(order):
            emb = vecs[f["offset"] : f["offset"] + f["n"]]
            model = model_for(config, f["n"], meta["stopWords"] + f.get("names", []))
            c0, w0 = time.process_time(), time.perf_counter()
            try:
                labels, _ = model.fit_transform(f["texts"], embeddings=emb)
                err = None
            except Exception as e:  # a firm BERTopic cannot fit is reported, not fatal
                labels, err = [-1] * f["n"], str(e)
            cpu, wall = time.process_time() - c0, time.perf_counter() - w0
            if i == 0:
                continue
            topics = sorted(t for t in set(labels) if t >= 0)
            keywords = [[w for w, s in (model.get_topic(t) or []) if w] for t in topics] if err is None else []
            out.append({"firm_id": f["firm_id"], "cpu": cpu, "wall": wall, "labels": [int(x) for x in labels], "keywords": keywords, "error": err})
        json.dump({"config": config, "firms": out}, open(os.path.join(d, f"bertopic-{config}.json"), "w"))
        print(f"bertopic {config}: {len(out)} firms", flush=True)


if __name__ == "__main__":
    main()
