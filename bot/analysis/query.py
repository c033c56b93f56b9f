"""Boolean topic queries: parse once, then evaluate fast against many articles.

Syntax: words, "phrases" (curly quotes and « » too), prefix*, AND, OR, NOT (upper case),
-term for NOT, parentheses; adjacent terms are joined by AND; NOT > AND > OR. Query and
article are folded alike (case, accents, Arabic letter variants): `securite` ~ "sécurité".
`X EXCEPT "phrase"` or `X EXCEPT ("a" OR "b")` ignores the occurrences of X's terms inside those
phrases: `sinai EXCEPT "mount sinai"` still finds Sinai in a story that also names the hospital.
A chat's query has at most 1000 characters, 200 terms and 20 open levels of (, NOT and EXCEPT.

Matching is on whole words: `mali` never matches "Somalia"; `tunis*` matches "Tunisie" and
"tunisiens"; punctuation inside a term splits it, so `al-qaeda` is the phrase "al qaeda".
Arabic words also read without one attached prefix — و ب ل ال وال بال لل — so `تونس` matches
"وتونس" and `الجيش` matches "والجيش" and "للجيش". Nothing more elaborate than that.

Chats type the same language with a few differences (`parse_chat_query`): AND, OR and NOT in any
case; NEAR, EXCEPT, `field:` and stray operator symbols are refused rather than read as words; a
query must ask for something (`NOT libya` alone is refused); and the query comes back in a
canonical form, operators upper case and every AND written out, that compiles to the same query.

`Query.matches` applies the substance rule: a positive term counts only when it is in the title or
lead (two sentences of the first paragraph), or at least twice in the text. Under NOT a single
mention anywhere counts. `Query.mentions` counts any mention.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, TypeAlias

from bot.analysis.matchdoc import (
    _ARABIC_PREFIXES,
    _PREFIXES_WITH_ARTICLE,
    Element,
    MatchDoc,
    Phrase,
    tokens,
)

MAX_QUERY_LENGTH = 1000
MAX_TERMS = 200
MAX_DEPTH = 20  # open levels of ( ), NOT and EXCEPT; also bounds the recursion
MIN_PREFIX_LENGTH = 2
_QUOTES = '"“”«»„'
_BREAKS = "()" + _QUOTES
_KEYWORDS = frozenset({"AND", "OR", "NOT", "EXCEPT"})
_CHAT_KEYWORDS = frozenset({"AND", "OR", "NOT"})  # in any case in a chat
_UNSUPPORTED = frozenset({"NEAR", "EXCEPT"})  # upper case; `near` and `except` are words
_FIELD = re.compile(r"(?!\d+:)[^\W_][\w.]*:")  # `title:`, `search_text:`; not a time (10:30)
_SYMBOLS = "!&|~^+<>="


class QueryError(ValueError):
    """A query that cannot be parsed; `position` is a 0-based index into the query."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at position {position}")
        self.message = message
        self.position = position


def describe_error(query: str, error: QueryError, width: int = 60) -> str:
    """Two lines for a chat: the query (or a window of it) and a caret under the error."""
    shown = "".join(" " if ch.isspace() else ch for ch in query)
    position = min(max(error.position, 0), len(shown))
    start = max(0, min(position - width // 2, len(shown) - width))
    end = start + width
    before = "…" if start > 0 else ""
    after = "…" if end < len(shown) else ""
    return f"{before}{shown[start:end]}{after}\n{' ' * (len(before) + position - start)}^"


# In holds(), `substance` is True on the positive side of the substance rule, False under a
# NOT (a single mention counts there), and None when any mention counts everywhere.


class _Term:
    __slots__ = ("elements", "head", "key", "masks", "shown", "word")

    def __init__(self, elements: Phrase, masks: tuple[Phrase, ...] = (), shown: str = "") -> None:
        self.elements = elements
        self.masks = masks  # phrases whose words do not count as occurrences of this term
        self.shown = shown  # as typed: a word, or a phrase with its quotes
        self.key = " EXCEPT ".join(" ".join(w + "*" * x for w, x in p) for p in (elements, *masks))
        single = len(elements) == 1 and not elements[0][1] and not masks
        self.word = elements[0][0] if single else None  # plain one-word terms skip the memo
        # The first word when it is not a prefix: absent from the article means no occurrence.
        self.head = None if elements[0][1] else elements[0][0]

    def holds(self, doc: MatchDoc, substance: bool | None) -> bool:
        if self.head is not None and self.head not in doc.positions:
            return False
        if self.word is not None:
            found = doc.positions.get(self.word)
            count, first = (len(found), found[0]) if found else (0, -1)
        else:
            count, first = doc.found(self.key, self.elements, self.masks)
        if substance:
            return count >= 2 or 0 <= first < doc.focus_length
        return count > 0


@dataclass(slots=True)
class _Not:
    child: _Node

    def holds(self, doc: MatchDoc, substance: bool | None) -> bool:
        return not self.child.holds(doc, None if substance is None else not substance)


@dataclass(slots=True)
class _And:
    children: tuple[_Node, ...]

    def holds(self, doc: MatchDoc, substance: bool | None) -> bool:
        return all(child.holds(doc, substance) for child in self.children)


class _Or:
    """Plain one-word alternatives are tested together with one set intersection."""

    __slots__ = ("children", "others", "words")

    def __init__(self, children: tuple[_Node, ...]) -> None:
        self.children = children
        self.words = frozenset(c.word for c in children if isinstance(c, _Term) and c.word)
        self.others = tuple(
            (c.head if isinstance(c, _Term) else None, c)
            for c in children
            if not (isinstance(c, _Term) and c.word)
        )

    def holds(self, doc: MatchDoc, substance: bool | None) -> bool:
        for word in self.words & doc.known:
            found = doc.positions[word]
            if not substance or len(found) >= 2 or found[0] < doc.focus_length:
                return True
        positions = doc.positions
        return any(
            child.holds(doc, substance)
            for head, child in self.others
            if head is None or head in positions
        )


_Node: TypeAlias = "_Term | _Not | _And | _Or"


def _masked(node: _Node, masks: tuple[Phrase, ...]) -> _Node:  # EXCEPT, on every term in node
    if isinstance(node, _Term):
        return _Term(node.elements, node.masks + masks, node.shown)
    if isinstance(node, _Not):
        return _Not(_masked(node.child, masks))
    children = tuple(_masked(child, masks) for child in node.children)
    return _And(children) if isinstance(node, _And) else _Or(children)


@dataclass(frozen=True, eq=False)
class Query:
    text: str
    root: _Node
    term_count: int

    def matches(self, doc: MatchDoc) -> bool:
        """True when the article is substantially about the query (see the module notes)."""
        return self.root.holds(doc, True)

    def mentions(self, doc: MatchDoc) -> bool:
        """True when the article mentions the query at all, however briefly."""
        return self.root.holds(doc, None)

    def canonical(self) -> str:
        """The query written out: operators upper case, every AND written, `-x` as `NOT x`,
        terms as typed (quoted when bare they would read as an operator). It compiles to the
        same query, in the packs' language as in a chat's."""
        return _written(self.root, _shown)

    def key(self) -> str:
        """The canonical form with every term folded: equal for two queries typed differently
        that mean the same (`Wagner or LIBYA`, `wagner OR libya`)."""
        return _written(self.root, _folded)

    def requirement(self) -> Requirement | None:
        """What an article must contain for the query to match it, or None when the query can
        match an article that has none of its terms (it only excludes)."""
        return _needed(self.root, True)


@dataclass(frozen=True, slots=True)
class Has:
    """A term the article must contain: every one of its words, in any order."""

    elements: Phrase


@dataclass(frozen=True, slots=True)
class AllOf:
    parts: tuple[Requirement, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple[Requirement, ...]


Requirement: TypeAlias = "Has | AllOf | AnyOf"


def _needed(node: _Node, positive: bool) -> Requirement | None:
    """A necessary condition for `node` to hold (`positive`) or to fail: which terms must be
    present. A term can be required only on the positive side; NOT swaps the sides."""
    if isinstance(node, _Term):
        return Has(node.elements) if positive else None
    if isinstance(node, _Not):
        return _needed(node.child, not positive)
    parts = [_needed(child, positive) for child in node.children]
    if isinstance(node, _And) is positive:  # every child must hold (or, under NOT, fail)
        kept = tuple(part for part in parts if part is not None)
        return None if not kept else kept[0] if len(kept) == 1 else AllOf(kept)
    if any(part is None for part in parts):  # one child is enough, and it needs nothing
        return None
    return AnyOf(tuple(part for part in parts if part is not None))


def word_forms(word: str) -> tuple[str, ...]:
    """The words an article may hold for a query word to be read in it: the word itself and the
    word behind one attached Arabic prefix, as `MatchDoc` reads an article's words (وتونس is
    read as تونس; للجيش as الجيش). Also right for a prefix: a form starts each such word."""
    forms = [word, *(prefix + word for prefix in _ARABIC_PREFIXES)]
    if word.startswith("ال"):
        forms.extend(prefix + word[2:] for prefix in _PREFIXES_WITH_ARTICLE)
    return tuple(dict.fromkeys(forms))


def _shown(term: _Term) -> str:
    shown = term.shown or _phrase_text(term.elements)
    return shown if _reads_as_word(shown) else f'"{shown}"'


def _folded(term: _Term) -> str:
    return f'"{_phrase_text(term.elements)}"'


def _phrase_text(elements: Phrase) -> str:
    return " ".join(word + "*" * prefix for word, prefix in elements)


def _reads_as_word(shown: str) -> bool:
    """Whether `shown` bare is one word term in both languages (else it is written quoted)."""
    if shown[:1] in _QUOTES:
        return True  # a phrase, quotes included
    if not shown or shown.upper() in _CHAT_KEYWORDS or shown in _UNSUPPORTED or shown[0] == "-":
        return False
    return not any(ch.isspace() or ch in _BREAKS for ch in shown) and not _refusal(shown, True)


def _written(node: _Node, term: Callable[[_Term], str]) -> str:
    if isinstance(node, _Term):
        text = term(node)
        if node.masks:
            masks = [f'"{_phrase_text(mask)}"' for mask in node.masks]
            text += " EXCEPT " + (masks[0] if len(masks) == 1 else f"({' OR '.join(masks)})")
        return text
    if isinstance(node, _Not):
        inner = _written(node.child, term)
        return f"NOT ({inner})" if isinstance(node.child, (_And, _Or)) else f"NOT {inner}"
    kind = type(node)
    flat = _flattened(node.children, kind)
    pieces = [
        f"({_written(child, term)})"
        if isinstance(child, (_And, _Or))  # the other kind: parenthesised, for the reader too
        else _written(child, term)
        for child in flat
    ]
    return (" AND " if kind is _And else " OR ").join(pieces)


def _flattened(children: tuple[_Node, ...], kind: type) -> list[_Node]:
    """`(a OR b) OR c` as `a OR b OR c`: the same operator nested needs no parentheses."""
    flat: list[_Node] = []
    for child in children:
        if type(child) is kind:
            flat.extend(_flattened(child.children, kind))  # type: ignore[union-attr]
        else:
            flat.append(child)
    return flat


class OnlyExcludes(QueryError):
    """A chat's query that can match an article holding none of its terms (`NOT libya`)."""

    def __init__(self) -> None:
        super().__init__("it only excludes: a brief with none of its words would match", 0)


@lru_cache(maxsize=1024)
def parse_chat_query(text: str) -> Query:
    """A query typed in a chat (/watch, /search): AND, OR and NOT in any case, NEAR, EXCEPT,
    `field:` and operator symbols refused, and something positive required. The result's
    `canonical()` is what to store and show: it compiles (`compile_query`) to the same query."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"query too long ({len(text)} characters, at most {MAX_QUERY_LENGTH})",
            MAX_QUERY_LENGTH,
        )
    parser = _Parser(_lex(text, chat=True), MAX_TERMS)
    query = Query(text, parser.parse(), parser.term_count)
    if query.requirement() is None:
        raise OnlyExcludes()
    written = query.canonical()
    if len(written) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"query too long once written out ({len(written)} characters with every AND, "
            f"at most {MAX_QUERY_LENGTH})",
            len(text),
        )
    return query


@lru_cache(maxsize=1024)
def compile_query(
    text: str, *, max_length: int = MAX_QUERY_LENGTH, max_terms: int = MAX_TERMS
) -> Query:
    """Parse a query; the limits guard user input, trusted packs may raise them. Any input
    either compiles or raises QueryError."""
    if len(text) > max_length:
        raise QueryError(
            f"query too long ({len(text)} characters, at most {max_length})", max_length
        )
    parser = _Parser(_lex(text), max_terms)
    return Query(text, parser.parse(), parser.term_count)


class _Token(NamedTuple):
    kind: str  # "word", "phrase", "(", ")", "AND", "OR", "NOT", "EXCEPT", or "end" after the last
    text: str
    position: int


def _lex(query: str, chat: bool = False) -> list[_Token]:
    """Tokens of a query; `chat`: keywords in any case, and unsupported syntax refused."""
    tokens: list[_Token] = []
    index = 0
    while index < len(query):
        char = query[index]
        if char.isspace():
            index += 1
        elif char in "()":
            tokens.append(_Token(char, char, index))
            index += 1
        elif char in _QUOTES:
            end = next((j for j in range(index + 1, len(query)) if query[j] in _QUOTES), -1)
            if end < 0:
                raise QueryError("unterminated quote", index)
            tokens.append(_Token("phrase", query[index + 1 : end], index))
            index = end + 1
        elif char == "-":
            if index + 1 == len(query) or query[index + 1].isspace():
                raise QueryError('"-" needs a term right after it', index)
            tokens.append(_Token("NOT", "-", index))
            index += 1
        else:
            end = index
            while end < len(query) and not query[end].isspace() and query[end] not in _BREAKS:
                end += 1
            word = query[index:end]
            glued = end < len(query) and not query[end].isspace()  # `title:"x"`
            kind = _chat_kind(word, index, glued) if chat else _pack_kind(word)
            tokens.append(_Token(kind, word, index))
            index = end
    return tokens


def _pack_kind(word: str) -> str:
    return word if word in _KEYWORDS else "word"


def _chat_kind(word: str, position: int, glued: bool) -> str:
    if word.upper() in _CHAT_KEYWORDS:
        return word.upper()
    if (problem := _refusal(word, glued)) is not None:
        raise QueryError(problem, position)
    return "word"


def _refusal(word: str, glued: bool = False) -> str | None:
    """Why a chat's word is refused, or None: what looks like syntax we do not have is never
    read as a plain word. `glued`: a quote or bracket follows the word without a space."""
    if word in _UNSUPPORTED or word.upper().startswith("NEAR/"):
        name = word.partition("/")[0]
        return f'"{name}" is not supported: use AND, OR, NOT, "phrases" and ( )'
    field = _FIELD.match(word)
    if field and (glued or field.end() < len(word)):  # `Libya:` ending a word is punctuation
        return (
            f'fields such as "{field.group()}" are not supported: every term is looked for in '
            "the headline, the event and the implications"
        )
    if word[0] in _SYMBOLS or "|" in word:
        symbol = word[0] if word[0] in _SYMBOLS else "|"
        return f'"{symbol}" is not an operator here: use AND, OR, NOT or -word'
    return None


def _term_elements(token: _Token) -> Phrase:
    offset = token.position + (1 if token.kind == "phrase" else 0)
    elements: list[Element] = []
    for piece in re.finditer(r"\S+", token.text):
        raw, position = piece.group(), offset + piece.start()
        stem = raw.removesuffix("*")
        if not stem.strip("*"):
            raise QueryError('lone "*"', position)
        if "*" in stem:
            raise QueryError('"*" is only allowed at the end of a word', position + stem.index("*"))
        words = tokens(stem)
        if not words:
            raise QueryError(f'"{raw}" has no letters or digits', position)
        if raw.endswith("*") and len(words[-1]) < MIN_PREFIX_LENGTH:
            raise QueryError(f"prefix too short (at least {MIN_PREFIX_LENGTH} letters)", position)
        elements.extend((word, False) for word in words)
        if raw.endswith("*"):
            elements[-1] = (words[-1], True)
    if not elements:
        raise QueryError("empty phrase", token.position)
    return tuple(elements)


class _Parser:
    """or := and (OR and)* ; and := not ([AND] not)* ; not := (NOT|-) not | atom [EXCEPT atom]"""

    def __init__(self, tokens: list[_Token], max_terms: int) -> None:
        self.tokens = [*tokens, _Token("end", "", -1)]
        self.index = 0
        self.max_terms = max_terms
        self.term_count = 0
        self.depth = 0

    def parse(self) -> _Node:
        node = self._or(None)
        if (token := self.tokens[self.index]).kind != "end":
            raise QueryError(f'unexpected "{token.text}"', token.position)
        return node

    def _or(self, after: _Token | None) -> _Node:
        children = [self._and(after)]
        while (token := self.tokens[self.index]).kind == "OR":
            self.index += 1
            children.append(self._and(token))
        return children[0] if len(children) == 1 else _Or(tuple(children))

    def _and(self, after: _Token | None) -> _Node:
        children = [self._not(after)]
        while (token := self.tokens[self.index]).kind not in ("OR", ")", "end"):
            if token.kind == "AND":
                self.index += 1
            children.append(self._not(token if token.kind == "AND" else None))
        return children[0] if len(children) == 1 else _And(tuple(children))

    def _not(self, after: _Token | None) -> _Node:
        token = self.tokens[self.index]
        if token.kind == "end":
            if after is None:
                raise QueryError("empty query", 0)
            if after.kind == "(":
                raise QueryError('unclosed "("', after.position)
            raise QueryError(f'"{after.text}" needs a term after it', after.position)
        self.index += 1
        if token.kind == "NOT":
            with self._level(token):
                return _Not(self._not(token))
        if token.kind == "(":
            with self._level(token):
                node = self._or(token)
            if self.tokens[self.index].kind == "end":
                raise QueryError('unclosed "("', token.position)
            self.index += 1  # the ")": _or stops only there or at the end
        elif token.kind in ("word", "phrase"):
            node = self._term(token)
        else:
            raise QueryError(f'unexpected "{token.text}"', token.position)
        if (keyword := self.tokens[self.index]).kind == "EXCEPT":
            self.index += 1
            node = _masked(node, self._masks(keyword))
        return node

    def _masks(self, keyword: _Token) -> tuple[Phrase, ...]:
        with self._level(keyword):
            node = self._not(keyword)
        terms = node.children if isinstance(node, _Or) else (node,)
        masks = tuple(t.elements for t in terms if isinstance(t, _Term) and not t.masks)
        if len(masks) != len(terms):
            raise QueryError('"EXCEPT" takes a term or ( terms joined by OR )', keyword.position)
        return masks

    @contextmanager
    def _level(self, opening: _Token) -> Iterator[None]:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(f"too deeply nested (at most {MAX_DEPTH} levels)", opening.position)
        yield
        self.depth -= 1

    def _term(self, token: _Token) -> _Term:
        self.term_count += 1
        if self.term_count > self.max_terms:
            raise QueryError(f"too many terms (at most {self.max_terms})", token.position)
        shown = " ".join(token.text.split())
        return _Term(_term_elements(token), shown=f'"{shown}"' if token.kind == "phrase" else shown)
