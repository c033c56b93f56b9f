"""`briefbot sources list|import|export` and `briefbot ingest --once --force`, run as commands."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from bot.config import Config, DatabaseConfig, IngestConfig
from bot.ingest.catalog import bundled_sources
from bot.ingest.opml import read_opml
from bot.ingest.sourcelist import Streams, run_sources

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Notes</title>
<item><title>Coast guard expands patrols near Sfax</title><link>https://harbour.example.net/1</link>
<description>Patrol boats were moved south.</description></item></channel></rss>"""


def opml_file(path: Path, *outlines: str) -> Path:
    path.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>Reader</title></head><body>'
        + "".join(outlines)
        + "</body></opml>",
        encoding="utf-8",
    )
    return path


def config_file(tmp_path: Path, sources: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/briefbot.db"\n'
        '[ingest]\nallow_networks = ["127.0.0.1/32"]\n' + sources,
        encoding="utf-8",
    )
    return path


def briefbot(
    config: Path, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "-q", "--config", str(config), *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )


def out(result: subprocess.CompletedProcess[bytes]) -> str:
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


def test_import_adds_new_feeds_with_topic_hints_and_says_what_it_skipped(tmp_path: Path) -> None:
    config = config_file(tmp_path)
    reader = opml_file(
        tmp_path / "reader.opml",
        '<outline text="Tunisia">'
        '<outline text="Maghreb Wire" xmlUrl="https://93.184.216.34/rss"/>'
        '<outline text="Intranet" xmlUrl="http://10.0.0.8/feed"/>'
        "</outline>",
        '<outline title="Sahel Watch" text="sw" category="/Sahel" xmlUrl="http://127.0.0.1:9/f"/>',
        '<outline text="Local" xmlUrl="file:///etc/passwd"/>',
        '<outline text="A site" htmlUrl="https://site.example.com/"/>',
    )
    first = out(briefbot(config, "sources", "import", str(reader)))
    assert first.splitlines()[0] == (f"{reader}: 5 feeds — 2 added, 0 already listed, 3 skipped.")
    assert (
        "  added S1: Maghreb Wire — 93.184.216.34 https://93.184.216.34/rss (topics: tunisia)"
    ) in first
    assert "added S2: Sahel Watch — 127.0.0.1 http://127.0.0.1:9/f (topics: sahel)" in first
    assert (
        "skipped Intranet <http://10.0.0.8/feed>: 10.0.0.8 is a private address "
        "(allow it in [ingest] allow_networks)"
    ) in first
    assert "skipped Local <file:///etc/passwd>: unsupported scheme 'file'" in first
    assert (
        "skipped A site <https://site.example.com/>: a web page without a feed URL (xmlUrl); "
        "/addsource finds the feed behind it"
    ) in first
    again = out(briefbot(config, "sources", "import", str(reader)))
    assert "0 added, 2 already listed, 3 skipped." in again
    assert "already listed as S1: https://93.184.216.34/rss" in again
    listed = out(briefbot(config, "sources", "list"))
    assert listed.splitlines()[0] == "2 sources, 2 on:"
    assert "S1  on  Maghreb Wire — 93.184.216.34  https://93.184.216.34/rss  topics: tunisia" in (
        listed
    )
    assert "origin opml · 0 articles · last fetch never" in listed


def test_export_prints_opml_that_imports_into_another_database(tmp_path: Path) -> None:
    config = config_file(tmp_path)
    reader = opml_file(
        tmp_path / "reader.opml",
        '<outline text="Libya"><outline text="Libya Observer" '
        'xmlUrl="https://93.184.216.34/atom" htmlUrl="https://libya.example.ly/"/></outline>',
        '<outline text="93.184.216.34" xmlUrl="https://93.184.216.34/plain"/>',
    )
    out(briefbot(config, "sources", "import", str(reader)))
    exported = briefbot(config, "sources", "export")
    assert exported.returncode == 0 and exported.stderr == b""
    feeds = read_opml(exported.stdout)
    assert [(f.url, f.name, f.categories) for f in feeds] == [
        ("https://93.184.216.34/atom", "Libya Observer", ("libya",)),
        ("https://93.184.216.34/plain", None, ()),
    ]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    other = config_file(elsewhere)
    imported = out(briefbot(other, "sources", "import", "-", stdin=exported.stdout))
    assert imported.startswith("stdin: 2 feeds — 2 added")
    again = briefbot(other, "sources", "export").stdout
    assert again.split(b"<dateCreated>")[0] == exported.stdout.split(b"<dateCreated>")[0]
    assert again.split(b"</dateCreated>")[1] == exported.stdout.split(b"</dateCreated>")[1]


def test_export_leaves_out_local_feeds_and_says_so(tmp_path: Path) -> None:
    samples = "".join(f'[[sources]]\nurl = "{source.url}"\n' for source in bundled_sources())
    config = config_file(tmp_path, samples)
    out(briefbot(config, "ingest", "--once"))  # registers the bundled sample feeds
    exported = briefbot(config, "sources", "export")
    assert exported.returncode == 0
    assert read_opml(exported.stdout) == []
    assert b"left out 3 sources that are off or read from a local file" in exported.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<opml><body><outline", "not well-formed XML (unclosed token: line 1, column 12)"),
        (
            b'<!DOCTYPE opml [<!ENTITY x "y">]><opml><body/></opml>',
            "the file declares a DOCTYPE, which OPML never needs: refused",
        ),
    ],
)
def test_import_of_a_bad_file_is_one_line_and_exit_2(
    tmp_path: Path, content: bytes, message: str
) -> None:
    reader = tmp_path / "reader.opml"
    reader.write_bytes(content)
    result = briefbot(config_file(tmp_path), "sources", "import", str(reader))
    assert result.returncode == 2
    assert result.stderr.decode().strip() == f"briefbot sources import: {reader}: {message}"
    missing = briefbot(config_file(tmp_path), "sources", "import", str(tmp_path / "nope.opml"))
    assert missing.returncode == 2
    assert missing.stderr.decode().strip() == (
        f"briefbot sources import: cannot read {tmp_path / 'nope.opml'}: No such file or directory"
    )


def test_list_of_an_empty_database_says_how_to_add(tmp_path: Path) -> None:
    listed = out(briefbot(config_file(tmp_path), "sources", "list"))
    assert listed.startswith("No sources yet: `briefbot ingest --once` registers")


def test_ingest_once_force_refetches_sources_that_are_not_due(
    tmp_path: Path, server: HTTPServer
) -> None:
    server.expect_request("/rss").respond_with_data(RSS, content_type="application/rss+xml")
    sources = f'[[sources]]\nurl = "{server.url_for("/rss")}"\ninterval = 60\n'
    config = config_file(tmp_path, sources)
    assert out(briefbot(config, "ingest", "--once")).startswith("1 sources: 1 fetched")
    assert out(briefbot(config, "ingest", "--once")).startswith("0 sources: 0 fetched")
    assert len(server.log) == 1
    forced = out(briefbot(config, "ingest", "--once", "--force"))
    assert forced.startswith("1 sources: 1 fetched, 0 unchanged, 0 failed; 0 new articles")
    assert len(server.log) == 2


async def test_import_skips_hosts_that_do_not_resolve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def getaddrinfo(host: str, *_: Any, **__: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    reader = opml_file(
        tmp_path / "reader.opml", '<outline text="Gone" xmlUrl="https://gone.example.org/rss"/>'
    )
    config = Config(
        database=DatabaseConfig(url=f"sqlite+aiosqlite:///{tmp_path}/briefbot.db"),
        ingest=IngestConfig(allow_networks=("127.0.0.1/32",)),
    )
    text, errors = io.StringIO(), io.StringIO()
    streams = Streams(text, errors, io.BytesIO(), io.BytesIO())
    assert await run_sources(config, "import", str(reader), streams) == 0
    assert text.getvalue().splitlines() == [
        f"{reader}: 1 feeds — 0 added, 0 already listed, 1 skipped.",
        "  skipped Gone <https://gone.example.org/rss>: the host gone.example.org did not resolve",
    ]
