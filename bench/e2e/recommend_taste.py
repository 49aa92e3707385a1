"""How well recommendations recover the generator's hidden taste: each customer's two favourite
categories (ground_truth.csv), from which 70 % of what they look at comes.

Usage: recommend_taste.py DATA_DIR PICKS.csv [PICKS.csv ...]
DATA_DIR holds items.csv and ground_truth.csv of `prospect generate`; each PICKS file is the output
of `prospect recommend top MODEL --users ... --out PICKS` (user, rank, item, score), named after
the model. Prints, per model, the favourite share at k: the mean over customers of the share of
their list in their two favourite categories, next to what a random order of the catalogue would
give (each customer's favourites' share of the items). The generator's own ranking (true view
probabilities) would put nearly every pick in a favourite category: an item outside them is
chosen only through undirected browsing, about 1/20 as often as one inside.
"""
import csv
import os
import sys
from collections import defaultdict


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main():
    data, picks_files = sys.argv[1], sys.argv[2:]
    items = read(os.path.join(data, "items.csv"))
    category = {r["item_id"]: r["category"] for r in items}
    per_category = defaultdict(int)
    for c in category.values():
        per_category[c] += 1
    favourites = {
        r["customer_id"]: (r["favourite_category_1"], r["favourite_category_2"])
        for r in read(os.path.join(data, "ground_truth.csv"))
    }
    print("%-12s %9s %13s %13s %8s" % ("model", "customers", "favourite@k", "random order", "ratio"))
    for path in picks_files:
        lists = defaultdict(list)
        for r in read(path):
            lists[r["user"]].append(r["item"])
        share = random_share = 0.0
        for user, picked in lists.items():
            fav = favourites[user]
            share += sum(category[i] in fav for i in picked) / len(picked)
            random_share += (per_category[fav[0]] + per_category[fav[1]]) / len(category)
        n = len(lists)
        name = os.path.splitext(os.path.basename(path))[0]
        print("%-12s %9d %13.4f %13.4f %7.2fx" % (name, n, share / n, random_share / n, share / random_share))


if __name__ == "__main__":
    main()
