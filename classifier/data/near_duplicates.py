"""Find near-duplicate comments in the team data, so contributors can keep their wording varied.

Similarity is the Jaccard similarity of the sets of character 5-grams ("shingles") of the
lowercased, whitespace-folded texts. Candidate pairs come from an inverted index with prefix
filtering: with tokens in a fixed global order (rarest first), two sets with Jaccard >= t must
share a token among the first ``|s| - ceil(t * |s|) + 1`` tokens of each. The search is therefore
exact (no pair above the threshold is missed, unlike MinHash) and still fast for thousands of
texts, because the rare prefix tokens have short posting lists.

Usage: ``python -m classifier.data.near_duplicates training_data [--threshold 0.8] [--top 20]``
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

SHINGLE = 5
_SPACE = re.compile(r"\s+")


def shingles(text: str, size: int = SHINGLE) -> frozenset[str]:
    """Character ``size``-grams of the lowercased, whitespace-folded text (or the whole text)."""
    folded = _SPACE.sub(" ", text.lower()).strip()
    if len(folded) <= size:
        return frozenset([folded]) if folded else frozenset()
    return frozenset(folded[i : i + size] for i in range(len(folded) - size + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a & b| / |a | b|, 0.0 for two empty sets."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def find_near_duplicates(
    texts: Sequence[str], threshold: float = 0.8
) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, similarity)`` with ``i < j`` and Jaccard similarity >= ``threshold``.

    Sorted by similarity, highest first (then by index). Empty texts are never duplicates.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    sets = [shingles(text) for text in texts]
    frequency = Counter(token for s in sets for token in s)
    # Rarest tokens first: the prefixes then hit short posting lists.
    ordered = [sorted(s, key=lambda t: (frequency[t], t)) for s in sets]

    index: dict[str, list[int]] = defaultdict(list)
    pairs: list[tuple[int, int, float]] = []
    # Visit sets by size so every earlier set is no larger: the size filter is then one-sided.
    for j in sorted(range(len(sets)), key=lambda k: (len(sets[k]), k)):
        tokens = ordered[j]
        if not tokens:
            continue
        # The epsilon keeps float error (0.8 * 15 = 12.000000000000002) from shortening the prefix.
        prefix = len(tokens) - math.ceil(threshold * len(tokens) - 1e-9) + 1
        min_size = threshold * len(tokens) - 1e-9
        candidates: set[int] = set()
        for token in tokens[:prefix]:
            candidates.update(i for i in index[token] if len(sets[i]) >= min_size)
            index[token].append(j)
        for i in candidates:
            similarity = jaccard(sets[i], sets[j])
            if similarity >= threshold:
                pairs.append((min(i, j), max(i, j), similarity))
    pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
    return pairs


def duplicate_rate(n_texts: int, pairs: Sequence[tuple[int, int, float]]) -> float:
    """Share of texts that have at least one near-duplicate."""
    involved = {i for i, _, _ in pairs} | {j for _, j, _ in pairs}
    return len(involved) / n_texts if n_texts else 0.0


def main(argv: Sequence[str] | None = None) -> int:
    """Print the near-duplicate rate of the team comments and the most similar pairs."""
    # Imported here so `find_near_duplicates` stays usable without the team-data package.
    from classifier.data.corpora import CorpusError
    from classifier.data.teamdata import is_heldout, load_team_data

    parser = argparse.ArgumentParser(
        prog="python -m classifier.data.near_duplicates", description=main.__doc__
    )
    parser.add_argument("root", type=Path, help="the team data folder, e.g. training_data")
    parser.add_argument("--threshold", type=float, default=0.8, help="Jaccard, default 0.8")
    parser.add_argument("--top", type=int, default=20, help="pairs to print, default 20")
    args = parser.parse_args(argv)

    try:
        data = load_team_data(args.root)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    comments = data.comments
    pairs = find_near_duplicates([c.text for c in comments], args.threshold)
    rate = duplicate_rate(len(comments), pairs)
    # A pair across the split leaks a held-out comment's wording into training.
    crossing = sum(is_heldout(comments[i].id) != is_heldout(comments[j].id) for i, j, _ in pairs)
    print(
        f"{len(comments)} comments, {len(pairs)} near-duplicate pairs (5-gram Jaccard >= "
        f"{args.threshold}), {crossing} across the train/held-out split"
    )
    print(f"near-duplicate rate: {rate:.1%} of comments have a near-duplicate")
    for i, j, similarity in pairs[: args.top]:
        print(f"\n{similarity:.3f}  {comments[i].id}  <->  {comments[j].id}")
        print(f"  {_preview(comments[i].text)}")
        print(f"  {_preview(comments[j].text)}")
    return 0


def _preview(text: str, width: int = 100) -> str:
    folded = _SPACE.sub(" ", text).strip()
    return folded if len(folded) <= width else folded[: width - 1] + "…"


if __name__ == "__main__":
    sys.exit(main())
