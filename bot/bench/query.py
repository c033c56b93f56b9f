"""`briefbot bench query`: how fast the read commands answer over a large store.

Each backend gets a fresh database (a SQLite file in a temporary folder, or a temporary
PostgreSQL database dropped afterwards), migrated and bulk-loaded with N made-up briefs (about
half with one to three stored articles) and M chats following one to three topics. Each command
then runs through `dispatch` with the runtime's Context, for random chats and briefs after a
warm-up; reported per command and backend: p50, p95 and the slowest run (target: p95 <= 50 ms).
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import Runtime
from bot.chat import Card, Command, Reply
from bot.config import Config, DatabaseConfig
from bot.domain import ChatKind, brief_code
from bot.storage.briefs import search_text
from bot.storage.models import (
    ArticleRow,
    BriefRow,
    BriefTopicRow,
    ChatRow,
    SourceRow,
    SubscriptionRow,
)
from handlers.dispatch import dispatch

BACKENDS = ("sqlite", "postgresql")
BATCH = 5000
MIN_BRIEFS = 100
SAMPLES, WARMUP = 200, 20  # timed runs per command, after untimed ones
SEED = 8  # the same made-up store on every run and backend
TARGET_P95_MS = 50.0
SPREAD = timedelta(days=90)
SOURCED_SHARE = 0.5  # briefs with stored articles, so /source and /more list several outlets
VESSEL_SHARE = 0.1  # briefs naming a vessel: the rare words that /search looks for
PLATFORM, USER = "bench", "analyst"
PG_URL = os.environ.get("BRIEFBOT_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")

# Places by the topic a story there is filed under; some stories get a second topic too.
_PLACES = {
    "tunisia": ("Sfax", "Tunis", "Gabès", "Kasserine", "Ben Guerdane"),
    "libya": ("Tripoli", "Benghazi", "Misrata", "Zuwara", "Sabha"),
    "algeria": ("Algiers", "Oran", "Tamanrasset"),
    "morocco": ("Rabat", "Tangier", "Nador"),
    "egypt": ("Cairo", "Alexandria", "El Arish"),
    "sahel": ("Niamey", "Bamako", "Gao", "Agadez"),
    "mediterranean-migration": ("Lampedusa", "Zarzis", "Pantelleria"),
}
_SECOND_TOPICS = ("north-africa-security", "mediterranean-migration", "sahel")
_PEOPLE = (
    ("Kais Saied", "President of Tunisia"),
    ("Khalifa Haftar", "commander of the Libyan National Army"),
    ("Abdul Hamid Dbeibah", "Prime Minister of Libya's unity government"),
    ("Abdelmadjid Tebboune", "President of Algeria"),
    ("Abdel Fattah el-Sisi", "President of Egypt"),
)
_NAMED = {  # every other actor, by kind
    "armed_group": "Wagner Group|JNIM|Islamic State Sahel Province",
    "organisation": "Frontex|European Union|UNHCR|African Union",
    "institution": "National Guard|Interior Ministry|Libyan Coast Guard|Central Bank of Libya",
    "state": "Tunisia|Libya|Algeria|Morocco|Egypt|Italy|Niger|Mali",
}
_ACTORS = [(name, "person", role) for name, role in _PEOPLE] + [
    (name, kind, None) for kind, names in _NAMED.items() for name in names.split("|")
]
_VERBS = "stopped inspected announced expanded suspended funded reviewed tightened reopened".split()
_THINGS = (
    "border patrols|smuggling routes|a coastal radar network|fuel convoys|a detention centre|"
    "drone flights|migrant departures|a gas pipeline deal|wheat imports|a security pact|"
    "army recruitment|a desert checkpoint|port inspections|weapons transfers|a prisoner exchange"
).split("|")
_DETAILS = "training equipment funding intelligence logistics oversight salaries fuel".split()
_IMPLICATIONS = (
    "Crossings from this coast may slow for several weeks.",
    "The step signals a closer security partnership with European capitals.",
    "Rival factions could read the move as a test of their territorial control.",
    "Prices for fuel in border towns are likely to rise.",
    "Aid groups expect more people to attempt the longer desert route.",
    "The decision may strain relations with neighbouring governments.",
    "Watch for a parliamentary vote on the budget that pays for it.",
)
_OUTLETS = (
    "Maghreb Wire|Le Courrier du Sud|Sahel Monitor|Nile Desk|Atlas Report|Carthage Daily|"
    "Desert Dispatch|Mediterranean Watch|Cyrenaica Herald|Tell Gazette|Rif Bulletin|Sirte Times"
).split("|")
_SYLLABLES = "ka ri mo sa le tu na bo de vi ga lo pe zu ha ni".split()  # 16**3 vessel names
COMMON_WORDS = ("border", "security", "fuel", "libya", "tunisia")


def _brief(rng: random.Random, brief_id: int, now: datetime) -> tuple[dict[str, Any], str | None]:
    """One brief's row values, and the vessel it names (None for most briefs)."""
    topic = rng.choice(list(_PLACES))
    place, extra = rng.choice(_PLACES[topic]), rng.choice(_SECOND_TOPICS)
    topics = [topic, extra] if rng.random() < 0.4 and extra != topic else [topic]
    people = [
        {"name": name, "kind": kind, "role": role, "description": None}
        for name, kind, role in rng.sample(_ACTORS, rng.randint(1, 4))
    ]
    verb, thing = rng.choice(_VERBS), rng.choice(_THINGS)
    vessel = None
    if rng.random() < VESSEL_SHARE or brief_id == 1:
        vessel = "".join(rng.choice(_SYLLABLES) for _ in range(3)).capitalize()
    aboard = f" aboard the {vessel}" if vessel else ""
    title = f"{people[0]['name']} {verb} {thing} near {place}{aboard}"
    first, second = rng.sample(_DETAILS, 2)
    event = f"{title} this week, adding rules on {first} and {second}."
    outlet = rng.choice(_OUTLETS)
    published = now - SPREAD * rng.random()
    row = BriefRow(
        id=brief_id,
        title=title,
        event=event,
        actors=people,
        implications=rng.sample(_IMPLICATIONS, rng.randint(1, 2)),
        topics=topics,
        language="en",
        primary_url=_site(outlet, f"story/{brief_id}"),
        primary_outlet=outlet,
        source_count=1,
        signature=None,
        published_at=published,
        created_at=published + timedelta(minutes=rng.randint(1, 30)),
        updated_at=published,
    )
    values = {column: getattr(row, column) for column in _BRIEF_COLUMNS}
    values["search_text"] = search_text(row)
    return values, vessel


_BRIEF_COLUMNS = [c.key for c in BriefRow.__table__.columns if c.key != "search_text"]


def _site(outlet: str, path: str) -> str:
    return f"https://{outlet.lower().replace(' ', '-')}.example.org/{path}"


def _articles(rng: random.Random, brief: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """The stored articles that carried this brief: the primary one first, then other outlets."""
    outlets = [brief["primary_outlet"], *rng.sample(_OUTLETS, 2)][: rng.randint(1, 3)]
    outlets = list(dict.fromkeys(outlets))
    found = []
    for number, outlet in enumerate(outlets):
        url = _site(outlet, f"report/{brief['id']}")
        found.append(
            {
                "source_id": _OUTLETS.index(outlet) + 1,
                "identity": f"story-{brief['id']}",
                "url": brief["primary_url"] if number == 0 else url,
                "title": brief["title"],
                "outlet": outlet,
                "fingerprint": f"{brief['id']:x}-{number}",
                "published_at": brief["published_at"] + timedelta(minutes=number * 7),
                "fetched_at": now,
                "brief_id": brief["id"],
            }
        )
    return found


@dataclass(frozen=True)
class Loaded:
    seconds: float
    briefs: int
    articles: int
    chats: int
    subscriptions: int
    vessels: tuple[str, ...]


async def load(session: AsyncSession, briefs: int, chats: int, now: datetime, seed: int) -> Loaded:
    """Bulk-insert the made-up store in batches of core INSERTs; returns what went in."""
    rng = random.Random(seed)
    started = time.perf_counter()
    await session.execute(
        insert(SourceRow),
        [
            {"id": number, "url": _site(outlet, "feed.xml"), "name": outlet, "created_at": now}
            for number, outlet in enumerate(_OUTLETS, start=1)
        ],
    )
    vessels: set[str] = set()
    articles = 0
    for start in range(1, briefs + 1, BATCH):
        rows: list[dict[str, Any]] = []
        topic_rows: list[dict[str, Any]] = []
        article_rows: list[dict[str, Any]] = []
        for brief_id in range(start, min(start + BATCH, briefs + 1)):
            values, vessel = _brief(rng, brief_id, now)
            if vessel:
                vessels.add(vessel)
            if rng.random() < SOURCED_SHARE:
                carried = _articles(rng, values, now)
                values["source_count"] = len(carried)
                article_rows.extend(carried)
            rows.append(values)
            topic_rows.extend(
                {"brief_id": brief_id, "topic": topic, "published_at": values["published_at"]}
                for topic in values["topics"]
            )
        await session.execute(insert(BriefRow), rows)
        await session.execute(insert(BriefTopicRow), topic_rows)
        if article_rows:
            await session.execute(insert(ArticleRow), article_rows)
        articles += len(article_rows)
    subscriptions = await _load_chats(session, rng, chats, now)
    seconds = time.perf_counter() - started
    return Loaded(seconds, briefs, articles, chats, subscriptions, tuple(sorted(vessels)))


async def _load_chats(session: AsyncSession, rng: random.Random, chats: int, now: datetime) -> int:
    slugs = sorted({*_PLACES, *_SECOND_TOPICS})
    subscriptions = 0
    for start in range(0, chats, BATCH):
        numbers = range(start, min(start + BATCH, chats))
        await session.execute(
            insert(ChatRow),
            [
                {
                    "platform": PLATFORM,
                    "external_id": chat_external_id(number),
                    "kind": ChatKind.PRIVATE.value,
                    "created_at": now,
                }
                for number in numbers
            ],
        )
        ids = await session.scalars(
            select(ChatRow.id).where(
                ChatRow.platform == PLATFORM,
                ChatRow.external_id.in_([chat_external_id(n) for n in numbers]),
            )
        )
        rows = [
            {"chat_id": chat_id, "topic": topic, "created_at": now}
            for chat_id in ids
            for topic in rng.sample(slugs, rng.randint(1, 3))
        ]
        await session.execute(insert(SubscriptionRow), rows)
        subscriptions += len(rows)
    return subscriptions


def chat_external_id(number: int) -> str:
    return f"desk-{number}"


@dataclass(frozen=True)
class Probe:
    label: str
    command: Callable[[random.Random], tuple[str, tuple[str, ...]]]  # name and arguments


def probes(loaded: Loaded) -> list[Probe]:
    def brief_id(rng: random.Random) -> tuple[str, ...]:
        return (brief_code(rng.randint(1, loaded.briefs)),)

    return [
        Probe("/brief tunisia", lambda rng: ("brief", ("tunisia",))),
        Probe("/brief (subscriptions)", lambda rng: ("brief", ())),
        Probe("/search COMMON", lambda rng: ("search", (rng.choice(COMMON_WORDS),))),
        Probe("/search RARE", lambda rng: ("search", (rng.choice(loaded.vessels),))),
        Probe("/more B<id>", lambda rng: ("more", brief_id(rng))),
        Probe("/source B<id>", lambda rng: ("source", brief_id(rng))),
        Probe("/related B<id>", lambda rng: ("related", brief_id(rng))),
        Probe("/actors B<id>", lambda rng: ("actors", brief_id(rng))),
    ]


class BenchError(RuntimeError):
    """A timed command did not answer with briefs: the figures would measure an error path."""


def _answered(reply: Reply) -> bool:
    return reply.brief_id is not None or any(isinstance(part, Card) for part in reply.parts)


@dataclass(frozen=True)
class Timing:
    label: str
    ms: tuple[float, ...]

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.ms, n=20, method="inclusive")[18]

    def line(self) -> str:
        flag = "" if self.p95 <= TARGET_P95_MS else "  <-- over target"
        p50, p95, slowest = statistics.median(self.ms), self.p95, max(self.ms)
        return f"  {self.label:<24} p50 {p50:6.1f}  p95 {p95:6.1f}  max {slowest:6.1f} ms{flag}"


async def time_probe(
    runtime: Runtime, probe: Probe, loaded: Loaded, samples: int, rng: random.Random
) -> Timing:
    context = runtime.context()
    measured: list[float] = []
    for run in range(WARMUP + samples):
        name, args = probe.command(rng)
        chat = chat_external_id(rng.randrange(loaded.chats))
        command = Command(PLATFORM, chat, ChatKind.PRIVATE, USER, name, args, text=" ".join(args))
        started = time.perf_counter()
        reply = await dispatch(command, context)
        elapsed = (time.perf_counter() - started) * 1000
        if not _answered(reply):
            raise BenchError(f"/{name} {' '.join(args)} answered without a brief: {reply.parts}")
        if run >= WARMUP:
            measured.append(elapsed)
    return Timing(probe.label, tuple(measured))


@asynccontextmanager
async def scratch_database(backend: str) -> AsyncIterator[str]:
    """A fresh, empty database url for `backend`, removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        return
    name = f"briefbot_bench_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _pg_admin(statement: str) -> None:
    dsn = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def bench_backend(
    config: Config, backend: str, briefs: int, chats: int, samples: int, seed: int
) -> tuple[Loaded, list[Timing]]:
    async with scratch_database(backend) as url:
        settings = config.model_copy(update={"database": DatabaseConfig(url=url), "sources": ()})
        runtime = await Runtime.open(settings)
        try:
            async with runtime.sessions() as session, session.begin():
                loaded = await load(session, briefs, chats, runtime.clock(), seed)
            if backend == "postgresql":  # what autovacuum does soon after a bulk load
                async with runtime.engine.begin() as connection:
                    await connection.execute(text("ANALYZE"))
            rng = random.Random(seed + 1)
            timings = [
                await time_probe(runtime, probe, loaded, samples, rng) for probe in probes(loaded)
            ]
        finally:
            await runtime.close()
    return loaded, timings


async def bench_query(
    config: Config, briefs: int, chats: int, backends: Sequence[str], samples: int = SAMPLES
) -> str:
    """The report: bulk-load time, then p50/p95/max per command for each backend."""
    unknown = [name for name in backends if name not in BACKENDS]
    if unknown or not backends:
        raise ValueError(f"backends are {', '.join(BACKENDS)}; got {', '.join(backends)}")
    if briefs < MIN_BRIEFS or chats < 1:  # fewer, and some topic may have no brief to show
        raise ValueError(f"the bench needs at least {MIN_BRIEFS} briefs and one chat")
    lines = [
        f"query bench: {briefs:,} briefs, {chats:,} chats; {samples} timed runs per command "
        f"after {WARMUP} warm-up runs; target p95 <= {TARGET_P95_MS:g} ms"
    ]
    missed: list[str] = []
    for backend in backends:
        loaded, timings = await bench_backend(config, backend, briefs, chats, samples, SEED)
        lines.append(
            f"{backend}: bulk load {loaded.seconds:.1f} s ({loaded.briefs:,} briefs, "
            f"{loaded.articles:,} articles, {loaded.chats:,} chats, "
            f"{loaded.subscriptions:,} subscriptions)"
        )
        lines.extend(timing.line() for timing in timings)
        missed.extend(f"{backend} {t.label}" for t in timings if t.p95 > TARGET_P95_MS)
    verdict = f"missed by {', '.join(missed)}" if missed else "met by every command"
    lines.append(f"target p95 <= {TARGET_P95_MS:g} ms: {verdict}")
    return "\n".join(lines)
