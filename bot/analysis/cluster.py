"""One story across outlets and languages.

Two ways to join a report to an earlier brief: MinHash signatures of title and lead (LSH
lookup) find rewrites in the same language; language-independent evidence (evidence.py: actor
keys, places, figures, days, kinds of event) finds the same event told in English, French or
Arabic. The evidence join needs several independent pieces and no sign of a different event.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import pairwise

import numpy as np
from datasketch import MinHash, MinHashLSH

from bot.analysis.evidence import MIN_ANCHORS, WINDOW, Comparison, Evidence, collect, compare
from bot.analysis.text import sentences, words
from bot.domain import Analysis, Article

PERMUTATIONS = 128
# Measured on the bundled feeds plus the dev set (word-pair Jaccard of title + lead): the two
# rewrites of one story score 0.20 and 0.22, the closest distinct stories 0.11 and below.
THRESHOLD = 0.16
# The evidence score two reports need to be one story (with MIN_ANCHORS anchors, a shared figure
# or kind of event, and no veto); see tests/test_cluster_stories.py for the set it was set on.
JOIN_SCORE = 10
MAX_MEMBERS = 8  # reports per brief whose evidence is kept for later reports to match
_STOPWORDS = frozenset(
    "the a an of to in on for and or with by at from as is are was were be has have had its it"
    " that this said says le la les de des du un une et en au aux pour par sur dans avec est"
    " a ete qui que ont son sa ses".split()
)


def shingles(title: str, body: str) -> set[bytes]:
    """Word pairs of the title and the first two sentences, stop words dropped."""
    lead = " ".join(sentences(body)[:2])
    tokens = [token for token in words(f"{title} {lead}") if token not in _STOPWORDS]
    pairs = {f"{first} {second}" for first, second in pairwise(tokens)}
    return {pair.encode() for pair in pairs or set(tokens)}


@lru_cache(maxsize=1)
def _permutations() -> tuple[object, object]:
    """datasketch draws its permutations per instance; drawing them once saves ~1 ms a hash."""
    template = MinHash(num_perm=PERMUTATIONS, seed=7)
    return template.permutations  # type: ignore[no-any-return]


def signature(title: str, body: str) -> list[int]:
    minhash = MinHash(num_perm=PERMUTATIONS, seed=7, permutations=_permutations())
    minhash.update_batch(list(shingles(title, body)))
    return [int(value) for value in minhash.hashvalues]


def _minhash(values: Sequence[int]) -> MinHash:
    return MinHash(
        num_perm=PERMUTATIONS,
        seed=7,
        hashvalues=np.array(values, dtype=np.uint64),
        permutations=_permutations(),
    )


def collect_evidence(article: Article, analysis: Analysis, published: datetime) -> Evidence:
    """The language-independent evidence of an analysed article published at `published`."""
    return collect(article.title, article.body, analysis.actors, analysis.topics, published)


@dataclass(frozen=True, slots=True)
class _Summary:
    """A brief's reports taken together: enough to pass over a brief whose every report a
    comparison would veto (published out of the window, other days, other headlines)."""

    first: datetime
    last: datetime
    days: frozenset[str]  # the days any report names
    dated: bool  # every report names its days
    headline: frozenset[str]  # the specific kinds of any report's title
    headlined: bool  # every report's title has one

    @classmethod
    def of(cls, members: Sequence[Evidence]) -> _Summary:
        times = [member.at for member in members]
        return cls(
            first=min(times),
            last=max(times),
            days=frozenset().union(*(member.days for member in members)),
            dated=all(member.days for member in members),
            headline=frozenset().union(*(member.headline for member in members)),
            headlined=all(member.headline for member in members),
        )

    def rules_out(self, evidence: Evidence) -> bool:
        if self.last < evidence.at - WINDOW or self.first > evidence.at + WINDOW:
            return True
        if self.dated and evidence.days and not self.days & evidence.days:
            return True
        return self.headlined and bool(evidence.headline) and not self.headline & evidence.headline


class StoryIndex:
    """The recent briefs' signatures and evidence; answers which brief, if any, a new article
    repeats. Changes since a `mark()` can be undone with `rollback()`."""

    def __init__(self, threshold: float = THRESHOLD, join_score: int = JOIN_SCORE) -> None:
        self._lsh = MinHashLSH(threshold=threshold, num_perm=PERMUTATIONS)
        self._hashes: dict[int, MinHash] = {}
        self._members: dict[int, list[Evidence]] = {}
        self._summaries: dict[int, _Summary] = {}
        self._postings: dict[_Slot, set[int]] = {}  # see _slots
        self._journal: list[tuple[int, Evidence | None]] = []  # (brief, None: added | joined)
        self.threshold = threshold
        self.join_score = join_score

    def add(
        self, brief_id: int, values: Sequence[int] | None, evidence: Iterable[Evidence] = ()
    ) -> None:
        """A new brief: its signature (None: none stored) and its reports' evidence."""
        if brief_id in self._hashes or brief_id in self._members:
            return
        if values is not None:
            minhash = _minhash(values)
            self._lsh.insert(brief_id, minhash)
            self._hashes[brief_id] = minhash
        self._members[brief_id] = []
        self._journal.append((brief_id, None))
        for item in evidence:
            self._file(brief_id, item)

    def join(self, brief_id: int, evidence: Evidence) -> None:
        """Another report joined this brief: later ones may match it too."""
        if brief_id in self._members and self._file(brief_id, evidence):
            self._journal.append((brief_id, evidence))

    def discard(self, brief_id: int) -> None:
        """Forget a brief, e.g. one whose transaction was rolled back."""
        if self._hashes.pop(brief_id, None) is not None:
            self._lsh.remove(brief_id)
        for item in self._members.pop(brief_id, []):
            self._unfile(brief_id, item)
        self._summaries.pop(brief_id, None)

    def mark(self) -> int:
        return len(self._journal)

    def rollback(self, mark: int) -> None:
        """Undo what was added or joined since `mark`, latest first."""
        while len(self._journal) > mark:
            brief_id, evidence = self._journal.pop()
            if evidence is None:
                self.discard(brief_id)
            elif evidence in self._members.get(brief_id, []):
                self._members[brief_id].remove(evidence)
                self._unfile(brief_id, evidence)
                self._summarise(brief_id)

    def add_all(
        self, items: Iterable[tuple[int, Sequence[int] | None, Sequence[Evidence]]]
    ) -> None:
        for brief_id, values, evidence in items:
            self.add(brief_id, values, evidence)

    def find(self, values: Sequence[int], evidence: Evidence | None = None) -> int | None:
        """The brief this article repeats: the most similar signature above the threshold,
        else the brief whose reports' evidence matches best; None for a new story."""
        probe = _minhash(values)
        best: tuple[float, int] | None = None
        for brief_id in self._lsh.query(probe):
            score = probe.jaccard(self._hashes[brief_id])
            if score < self.threshold or (best is not None and score <= best[0]):
                continue
            # Like wording is not enough when the facts disagree (another day, another kind of
            # event): two interceptions off Sfax on two nights read alike.
            summary = self._summaries.get(brief_id)
            if evidence is not None and summary is not None and summary.rules_out(evidence):
                continue
            best = (score, brief_id)
        if best is not None:
            return best[1]
        return self._by_evidence(evidence) if evidence is not None else None

    def explain(self, brief_id: int, evidence: Evidence) -> Comparison:
        """The best comparison of `evidence` with the reports of one brief."""
        found = [compare(evidence, member) for member in self._members.get(brief_id, [])]
        return max(found, key=lambda c: (c.joins(self.join_score), c.score), default=Comparison())

    def _by_evidence(self, evidence: Evidence) -> int | None:
        """The brief with the best-scoring report that `evidence` joins (the earliest brief
        on a tie). Only briefs sharing an actor or a place with it are looked at."""
        candidates = Counter(
            brief_id for key in evidence.anchors() for brief_id in self._naming(key, evidence)
        )
        # One shared actor or place is one anchor: a second can only come from two states
        # or two figures shared, so without those on this side, such briefs cannot join.
        least = 1 if len(evidence.states) >= 2 or len(evidence.numbers) >= 2 else MIN_ANCHORS
        best: tuple[int, int] | None = None  # (score, -brief id)
        for brief_id, shared in candidates.items():
            if shared < least or self._summaries[brief_id].rules_out(evidence):
                continue
            for member in self._members[brief_id]:
                comparison = compare(evidence, member)
                if comparison.joins(self.join_score):
                    best = max(best or (comparison.score, -brief_id), (comparison.score, -brief_id))
        return -best[1] if best else None

    def _naming(self, key: str, evidence: Evidence) -> set[int]:
        """The briefs with a report naming `key` that `evidence` is not told apart from by
        its days: reports naming one of its days or none (any report, when it names none)."""
        if not evidence.days:
            return self._postings.get((key, _ANY_DAY), set())
        days = (*evidence.days, _NO_DAY)
        return set().union(*(self._postings.get((key, day), ()) for day in days))

    def _file(self, brief_id: int, evidence: Evidence) -> bool:
        members = self._members[brief_id]
        if len(members) >= MAX_MEMBERS:
            return False
        members.append(evidence)
        self._summarise(brief_id)
        for slot in _slots(evidence):
            self._postings.setdefault(slot, set()).add(brief_id)
        return True

    def _summarise(self, brief_id: int) -> None:
        members = self._members.get(brief_id)
        if members:
            self._summaries[brief_id] = _Summary.of(members)
        else:
            self._summaries.pop(brief_id, None)

    def _unfile(self, brief_id: int, evidence: Evidence) -> None:
        """Take `evidence` out of the postings (the brief's other reports may keep a key)."""
        still = {slot for item in self._members.get(brief_id, []) for slot in _slots(item)}
        for slot in _slots(evidence) - still:
            posting = self._postings.get(slot)
            if posting is not None:
                posting.discard(brief_id)
                if not posting:
                    del self._postings[slot]


_Slot = tuple[str, str]  # (actor key or place, ISO day | _NO_DAY | _ANY_DAY)
_NO_DAY, _ANY_DAY = "", "*"


def _slots(evidence: Evidence) -> set[_Slot]:
    """Where a report is filed: under each of its actors and places, once for any day and
    once per day it names (or for no day)."""
    days = evidence.days or {_NO_DAY}
    return {(key, day) for key in evidence.anchors() for day in (*days, _ANY_DAY)}
