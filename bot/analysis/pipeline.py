"""The analysis chain: an article in, an Analysis out. Pure: no I/O past loading the packs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.analysis.actors import Gazetteer, extract_actors, load_gazetteer
from bot.analysis.event import pick_event
from bot.analysis.implications import find_implications
from bot.analysis.language import detect_language
from bot.analysis.topics import load_topics, match_topics
from bot.domain import Analysis, Article, Topic


@dataclass(frozen=True)
class Analyser:
    topics: Mapping[str, Topic]
    gazetteer: Gazetteer

    @classmethod
    def load(cls, extra_topics: Path | None = None) -> Analyser:
        topics = dict(load_topics())
        if extra_topics is not None:
            topics.update(load_topics(extra_topics))
        return cls(topics=topics, gazetteer=load_gazetteer())

    def analyse(self, article: Article) -> Analysis:
        title, body = article.title, article.body
        language = detect_language(f"{title}. {body[:2000]}")
        event = pick_event(title, body, language)
        return Analysis(
            language=language,
            topics=match_topics(title, body, self.topics),
            actors=extract_actors(title, body, self.gazetteer),
            event=event,
            implications=find_implications(body, language, exclude=event),
        )
