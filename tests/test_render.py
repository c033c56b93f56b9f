"""One Reply, three platforms: console text, Telegram HTML, Slack Block Kit."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from bot.chat import Button, ButtonRow, Card, Emphasis, Reply, Text
from bot.domain import Actor, ActorKind, Brief, SourceRef
from bot.render.plain import clean, render_plain, utf16_len
from bot.render.slack import escape_mrkdwn, render_slack, slack_link
from bot.render.telegram import (
    MESSAGE_LIMIT,
    TelegramButton,
    fits_callback,
    render_telegram,
)

ZWSP = "\u200b"
TOPIC_NAMES = ("Tunisia", "North Africa security")
BUTTONS = (
    Button("More", "more", ("B12",)),
    Button("Source", "source", ("B12",)),
    Button("Related", "related", ("B12",)),
    Button("Mute topic", "mute", ("tunisia",)),
)
HOSTILE_TITLE = (
    "<script>alert(1)</script> & a < b > c <b>unclosed *bold* _x_ <http://evil|click>"
    " \x1b[31mred\x1b[0m\r\nnext"
)


def make_brief(brief_id: int = 12, **changes: object) -> Brief:
    brief = Brief(
        id=brief_id,
        title="United States pledges continued military aid to Tunisia",
        event="A U.S. defence official promised Tunisia more equipment during a call.",
        actors=(
            Actor("Khaled Shtili", ActorKind.PERSON, "Defence Minister"),
            Actor("Tunisia", ActorKind.STATE),
            Actor("Daniel Zimmerman", ActorKind.PERSON, "U.S. Assistant Secretary of War"),
        ),
        implications=(
            "Tunisia's border units could receive more surveillance gear.",
            "The joint military committee meets again in May.",
        ),
        topics=("tunisia", "north-africa-security"),
        language="en",
        primary=SourceRef("https://www.tunisien.tn/articles/us-support", "Tunisien.tn"),
        source_count=3,
        published_at=datetime(2025, 12, 13, 9, 30, tzinfo=UTC),
    )
    return replace(brief, **changes)  # type: ignore[arg-type]


def card_reply(brief: Brief | None = None) -> Reply:
    return Reply(parts=(Card(brief or make_brief(), TOPIC_NAMES, BUTTONS),), brief_id=12)


def hostile_brief() -> Brief:
    return make_brief(
        title=HOSTILE_TITLE,
        actors=(Actor("<b>Evil & Co", ActorKind.ORGANISATION, "*boss*"),),
        primary=SourceRef("javascript:alert(1)", "<i>Outlet"),
    )


class TelegramHtml(HTMLParser):
    """Checks what Telegram's HTML mode accepts: four tags, properly nested, http(s) links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in {"b", "i", "a", "code"}:
            self.errors.append(f"<{tag}>")
        if tag == "a" and not (dict(attrs).get("href") or "").startswith(("http://", "https://")):
            self.errors.append(f"link {attrs}")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible(html_text: str) -> str:
    """The text Telegram would show, after checking the markup is valid."""
    assert not re.search(r"&(?!(?:amp|lt|gt|quot);)", html_text), html_text
    assert not re.search(r"<(?!/?(?:b|i|code|a)[ >])", html_text), html_text
    parser = TelegramHtml()
    parser.feed(html_text)
    parser.close()
    assert parser.errors == [] and parser.stack == [], (parser.errors, parser.stack)
    return "".join(parser.text)


def mrkdwn_texts(blocks: list[dict]) -> list[str]:
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    texts += [el["text"] for b in blocks if b["type"] == "context" for el in b["elements"]]
    return texts


# --- one card, three ways -------------------------------------------------------------------


def test_plain_card_has_the_design_shape() -> None:
    assert render_plain(card_reply()) == (
        "Tunisia · North Africa security — 13 Dec 2025  #B12\n"
        "United States pledges continued military aid to Tunisia\n"
        "Event: A U.S. defence official promised Tunisia more equipment during a call.\n"
        "Actors: Khaled Shtili (Defence Minister) · Tunisia · Daniel Zimmerman"
        " (U.S. Assistant Secretary of War)\n"
        "Implications: • Tunisia's border units could receive more surveillance gear.\n"
        "              • The joint military committee meets again in May.\n"
        "Source: Tunisien.tn (+2 more) — https://www.tunisien.tn/articles/us-support\n"
        "[More: more B12] [Source: source B12] [Related: related B12] [Mute topic: mute tunisia]"
    )


def test_telegram_card_is_html_with_a_keyboard() -> None:
    [message] = render_telegram(card_reply())
    assert message.text == (
        "<i>Tunisia · North Africa security — 13 Dec 2025</i>  <code>#B12</code>\n"
        "<b>United States pledges continued military aid to Tunisia</b>\n"
        "<b>Event:</b> A U.S. defence official promised Tunisia more equipment during a call.\n"
        "<b>Actors:</b> Khaled Shtili (Defence Minister) · Tunisia · Daniel Zimmerman"
        " (U.S. Assistant Secretary of War)\n"
        "<b>Implications:</b>\n"
        "• Tunisia's border units could receive more surveillance gear.\n"
        "• The joint military committee meets again in May.\n"
        '<b>Source:</b> <a href="https://www.tunisien.tn/articles/us-support">Tunisien.tn</a>'
        " (+2 more)"
    )
    assert message.buttons == (
        (
            TelegramButton("More", "more B12"),
            TelegramButton("Source", "source B12"),
            TelegramButton("Related", "related B12"),
            TelegramButton("Mute topic", "mute tunisia"),
        ),
    )
    assert message.disable_preview is True
    visible(message.text)


def test_slack_card_is_block_kit() -> None:
    [message] = render_slack(card_reply())
    assert message.text == "United States pledges continued military aid to Tunisia"
    header, section, context, actions = message.blocks
    assert header == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": "United States pledges continued military aid to Tunisia",
        },
    }
    assert section == {
        "type": "section",
        "text": {
            "type": "mrkdwn",
            "verbatim": True,
            "text": "*Event:* A U.S. defence official promised Tunisia more equipment"
            " during a call.\n"
            "*Actors:* Khaled Shtili (Defence Minister) · Tunisia · Daniel Zimmerman"
            " (U.S. Assistant Secretary of War)\n"
            "*Implications:*\n"
            "• Tunisia's border units could receive more surveillance gear.\n"
            "• The joint military committee meets again in May.",
        },
    }
    assert [element["text"] for element in context["elements"]] == [
        "Tunisia · North Africa security — 13 Dec 2025",
        "*Source:* <https://www.tunisien.tn/articles/us-support|Tunisien.tn> (+2 more)",
        "`#B12`",
    ]
    assert actions["elements"][0] == {
        "type": "button",
        "text": {"type": "plain_text", "text": "More"},
        "action_id": "more:0",
        "value": "more B12",
    }
    assert [e["action_id"] for e in actions["elements"]] == [
        "more:0",
        "source:1",
        "related:2",
        "mute:3",
    ]


def test_text_parts_buttons_and_next_page_in_plain() -> None:
    reply = Reply(
        parts=(
            Text("Your topics", Emphasis.HEADING),
            Text("Tunisia\nLibya"),
            Text("Subscribe with a button or type the command.", Emphasis.NOTE),
            Text("/subscribe sahel", Emphasis.CODE),
            ButtonRow((Button("Subscribe Sahel", "subscribe", ("sahel",)),)),
        ),
        next_page=Button("Next", "topics", ("2",)),
    )
    assert render_plain(reply) == (
        "Your topics\n===========\n\nTunisia\nLibya\n"
        "  Subscribe with a button or type the command.\n/subscribe sahel\n"
        "[Subscribe Sahel: subscribe sahel]\nMore: /topics 2"
    )
    [message] = render_telegram(reply)
    assert message.text == (
        "<b>Your topics</b>\n\nTunisia\nLibya\n"
        "<i>Subscribe with a button or type the command.</i>\n<code>/subscribe sahel</code>"
    )
    assert message.buttons == (
        (TelegramButton("Subscribe Sahel", "subscribe sahel"),),
        (TelegramButton("Next", "topics 2"),),
    )
    assert message.disable_preview is False
    [slack] = render_slack(reply)
    assert [block["type"] for block in slack.blocks] == [
        "header",
        "section",
        "context",
        "section",
        "actions",
        "actions",
    ]
    assert slack.blocks[1]["text"]["text"] == "Tunisia\nLibya"
    assert slack.blocks[2]["elements"][0]["text"] == "Subscribe with a button or type the command."
    assert slack.blocks[3]["text"]["text"] == "`/subscribe sahel`"
    assert [b["elements"][0]["action_id"] for b in slack.blocks[4:]] == ["subscribe:0", "topics:1"]
    assert slack.text == "Your topics"


def test_all_sources_are_listed_under_source() -> None:
    card = Card(
        make_brief(),
        TOPIC_NAMES,
        all_sources=(("Tunisien.tn", "https://a.example/1"), (None, "https://b.example/2")),
    )
    plain = render_plain(Reply(parts=(card,)))
    assert plain.endswith(
        "Sources: • Tunisien.tn — https://a.example/1\n         • b.example — https://b.example/2"
    )
    [message] = render_telegram(Reply(parts=(card,)))
    assert message.text.endswith(
        '<b>Sources:</b>\n• <a href="https://a.example/1">Tunisien.tn</a>\n'
        '• <a href="https://b.example/2">b.example</a>'
    )
    [slack] = render_slack(Reply(parts=(card,)))
    assert slack.blocks[1]["text"]["text"].endswith(
        "*Sources:*\n• <https://a.example/1|Tunisien.tn>\n• <https://b.example/2|b.example>"
    )


# --- hostile source text --------------------------------------------------------------------


def test_plain_strips_terminal_escapes_and_control_characters() -> None:
    text = render_plain(card_reply(hostile_brief()))
    assert text.split("\n")[1] == (
        "<script>alert(1)</script> & a < b > c <b>unclosed *bold* _x_ <http://evil|click> red next"
    )
    assert "\x1b" not in text and "\r" not in text
    assert clean("a\x1b]0;new title\x07b\x9b2Jc\x00d\x1b[2Ke\u202ef") == "abcdef"
    assert clean("one\r\ntwo\rthree\tfour") == "one\ntwo\nthree four"


def test_telegram_escapes_every_source_string() -> None:
    [message] = render_telegram(card_reply(hostile_brief()))
    shown = visible(message.text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; a &lt; b &gt; c &lt;b&gt;unclosed" in (
        message.text
    )
    assert "<script>alert(1)</script> & a < b > c <b>unclosed *bold* _x_" in shown
    assert "<b>Actors:</b> &lt;b&gt;Evil &amp; Co (*boss*)" in message.text
    assert "<a " not in message.text  # the only URL is javascript:, shown as text
    assert "<b>Source:</b> &lt;i&gt;Outlet (+2 more) — javascript:alert(1)" in message.text


def test_telegram_link_href_is_attribute_escaped() -> None:
    brief = make_brief(primary=SourceRef('https://x.example/?q="a"&b=<c>', "X"))
    [message] = render_telegram(card_reply(brief))
    assert '<a href="https://x.example/?q=&quot;a&quot;&amp;b=&lt;c&gt;">X</a>' in message.text


def test_slack_escapes_and_neutralises_mrkdwn() -> None:
    [message] = render_slack(card_reply(hostile_brief()))
    header = message.blocks[0]["text"]["text"]
    assert header == (
        "<script>alert(1)</script> & a < b > c <b>unclosed *bold* _x_ <http://evil|click> red next"
    )
    texts = mrkdwn_texts(message.blocks)
    for text in texts:
        assert "<" not in text and ">" not in text  # nothing linked: the only URL is javascript:
        assert "*bold*" not in text and "_x_" not in text
    joined = "\n".join(texts).replace(ZWSP, "")
    assert "*Actors:* &lt;b&gt;Evil &amp; Co (*boss*)" in joined
    assert "&lt;i&gt;Outlet (+2 more) — javascript:alert(1)" in joined
    assert escape_mrkdwn("<http://evil|click>") == "&lt;http://evil|click&gt;"
    assert (
        escape_mrkdwn("*bold* and _x_")
        == f"{ZWSP}*{ZWSP}bold{ZWSP}*{ZWSP} and {ZWSP}_{ZWSP}x{ZWSP}_{ZWSP}"
    )
    assert escape_mrkdwn("> quoted\n  > again") == f"{ZWSP}&gt; quoted\n  {ZWSP}&gt; again"


def test_slack_links_only_safe_web_urls() -> None:
    assert slack_link("https://ok.example/x?a=1&b=2", "A & B *c*") == (
        f"<https://ok.example/x?a=1&amp;b=2|A &amp; B {ZWSP}*{ZWSP}c{ZWSP}*{ZWSP}>"
    )
    assert slack_link("https://ok.example/a|b", "x") is None
    assert slack_link("https://ok.example/a>b", "x") is None
    assert slack_link("javascript:alert(1)", "x") is None
    assert slack_link("https://ok.example/a b", "x") is None


# --- Telegram limits ------------------------------------------------------------------------


def long_brief(brief_id: int) -> Brief:
    items = tuple(
        f"Point {n} about brief {brief_id}: " + "the border force grows " * 8 for n in range(5)
    )
    return make_brief(brief_id, implications=items)


def digest_reply(count: int = 30) -> Reply:
    cards = tuple(
        Card(
            long_brief(n),
            TOPIC_NAMES,
            (
                Button("More", "more", (f"B{n}",)),
                Button("Source", "source", (f"B{n}",)),
                Button("Related", "related", (f"B{n}",)),
                Button("Mute", "mute", ("tunisia",)),
            ),
        )
        for n in range(1, count + 1)
    )
    return Reply(
        parts=(Text("Digest", Emphasis.HEADING), *cards), next_page=Button("Next", "digest", ("2",))
    )


def test_long_reply_is_split_into_valid_messages_with_buttons_last() -> None:
    messages = render_telegram(digest_reply())
    assert len(messages) > 1
    for message in messages:
        assert utf16_len(message.text) <= MESSAGE_LIMIT < 4096
        visible(message.text)
        assert message.disable_preview
    assert all(message.buttons == () for message in messages[:-1])
    keyboard = messages[-1].buttons
    assert sum(len(row) for row in keyboard) <= 100 and all(len(row) <= 8 for row in keyboard)
    assert keyboard[0][0] == TelegramButton("More · B1", "more B1")
    assert keyboard[-1] == (TelegramButton("Next", "digest 2"),)
    data = [button.callback_data for row in keyboard for button in row]
    assert "more B1" in data and "more B30" not in data  # later cards' rows dropped first
    with pytest.raises(ValueError, match="keyboard"):
        render_telegram(Reply(parts=(ButtonRow(tuple(Button("n", "x") for _ in range(101))),)))
    everything = "\n".join(message.text for message in messages)
    for n in range(1, 31):  # each card whole, in one message
        assert sum(f"<code>#B{n}</code>" in message.text for message in messages) == 1
    assert everything.count("<b>Event:</b>") == 30


def test_an_over_long_paragraph_is_cut_at_words_and_tags_are_reopened() -> None:
    words = " ".join(f"w{n}&x" for n in range(3000))  # ~24,000 characters, one line
    messages = render_telegram(Reply(parts=(Text(words, Emphasis.NOTE),)))
    assert len(messages) >= 6
    shown = []
    for message in messages:
        assert utf16_len(message.text) <= MESSAGE_LIMIT
        assert message.text.startswith("<i>") and message.text.endswith("</i>")
        shown.append(visible(message.text))
    assert " ".join(shown).split() == words.split()


def test_an_over_long_card_stays_valid_across_messages() -> None:
    brief = make_brief(event="The patrol <moved> & waited. " * 400)  # ~11,600 characters
    messages = render_telegram(card_reply(brief))
    assert len(messages) >= 3
    for message in messages:
        assert utf16_len(message.text) <= MESSAGE_LIMIT
        visible(message.text)
    assert messages[0].text.startswith("<i>Tunisia")
    assert messages[-1].text.endswith(
        '<a href="https://www.tunisien.tn/articles/us-support">Tunisien.tn</a> (+2 more)'
    )
    assert [bool(message.buttons) for message in messages] == [False] * (len(messages) - 1) + [True]


def test_a_long_line_is_cut_at_line_breaks_first() -> None:
    lines = "\n".join(f"line {n} " + "x" * 50 for n in range(200))
    messages = render_telegram(Reply(parts=(Text(lines, Emphasis.CODE),)))
    assert len(messages) > 1
    for message in messages:
        for line in message.text.split("\n"):
            assert re.fullmatch(r"<code>line \d+ x{50}</code>", line), line


def test_a_word_longer_than_a_message_is_cut_hard() -> None:
    word = "ab" * 3000
    messages = render_telegram(Reply(parts=(Text(word, Emphasis.CODE),)))
    assert len(messages) == 2
    assert "".join(visible(message.text) for message in messages) == word


def test_emoji_count_twice_towards_the_limit() -> None:
    assert utf16_len("😀") == 2 and utf16_len("é") == 1
    text = "😀" * 3000  # 3,000 characters but 6,000 UTF-16 units
    messages = render_telegram(Reply(parts=(Text(text),)))
    assert len(messages) == 2
    assert all(utf16_len(message.text) <= MESSAGE_LIMIT for message in messages)
    assert "".join(message.text for message in messages) == text


def test_callback_data_must_fit_64_bytes() -> None:
    assert fits_callback("x" * 64) and not fits_callback("x" * 65)
    assert fits_callback("é" * 32) and not fits_callback("é" * 33)
    assert not fits_callback("")
    too_long = Button("Open", "more", ("é" * 30,))  # 35 characters, 65 bytes
    with pytest.raises(ValueError, match="callback data"):
        render_telegram(Reply(parts=(ButtonRow((too_long,)),)))


# --- Slack limits ---------------------------------------------------------------------------


def test_slack_respects_block_kit_limits() -> None:
    many = tuple(Button(f"Act {n}", f"act{n % 3}", (f"B{n}",)) for n in range(30))
    huge = make_brief(99, title="Headline " * 50, implications=("word & more " * 1000,))
    reply = digest_reply()
    reply = Reply(parts=(*reply.parts, Card(huge, TOPIC_NAMES, many)), next_page=reply.next_page)
    messages = render_slack(reply)
    assert len(messages) > 1
    assert re.fullmatch(r"United States pledges .* \(and \d+ more briefs\)", messages[0].text)
    codes: list[str] = []
    for message in messages:
        assert len(message.blocks) <= 50
        assert 0 < len(message.text) <= 300
        ids = []
        for block in message.blocks:
            if block["type"] == "header":
                assert 0 < utf16_len(block["text"]["text"]) <= 150
            if block["type"] == "section":
                assert utf16_len(block["text"]["text"]) <= 3000
                assert not re.search(r"&(?!(?:amp|lt|gt);)", block["text"]["text"])
            if block["type"] == "actions":
                assert len(block["elements"]) <= 25
                ids += [element["action_id"] for element in block["elements"]]
                assert all(len(element["value"]) <= 2000 for element in block["elements"])
            if block["type"] == "context":
                codes += [e["text"] for e in block["elements"] if e["text"].startswith("`#B")]
        assert len(ids) == len(set(ids))
    assert codes == [f"`#B{n}`" for n in [*range(1, 31), 99]]
    last = messages[-1].blocks
    assert last[-1]["elements"][0]["value"] == "digest 2"
    start = next(i for i, b in enumerate(last) if b["type"] == "header" and "Headline" in str(b))
    assert last[start]["text"]["text"].endswith("…")
    huge_sections = [b for b in last[start:] if b["type"] == "section"]
    assert len(huge_sections) >= 4  # the 12,000-character implication, cut
    assert huge_sections[0]["text"]["text"].startswith("*Headline Headline")  # full headline kept


def test_slack_rejects_a_button_value_over_2000_characters() -> None:
    with pytest.raises(ValueError, match="too long"):
        render_slack(Reply(parts=(ButtonRow((Button("Search", "search", ("w" * 2100,)),)),)))


def test_empty_reply_renders_nothing() -> None:
    assert render_telegram(Reply()) == [] and render_slack(Reply()) == []
    assert render_plain(Reply()) == ""
