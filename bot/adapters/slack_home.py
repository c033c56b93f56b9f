"""The App Home tab: Replies rendered as one Block Kit view (the person's DM settings, the latest
briefs), built from the same handlers as every other answer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.adapters.slack_text import localise
from bot.chat import Button, ButtonRow, Emphasis, Reply, Text
from bot.render.slack import Block, render_slack

VIEW_BLOCK_LIMIT = 100
PRIVATE_METADATA_LIMIT = 3000
_INDEX = re.compile(r":\d+$")


def home_intro() -> Reply:
    return Reply(
        parts=(
            Text("briefbot", Emphasis.HEADING),
            Text(
                "What your direct messages with briefbot follow, and the latest briefs on it. "
                "Each channel has its own settings: /brief settings there."
            ),
            ButtonRow(
                (
                    Button("Topics", "topics"),
                    Button("Latest briefs", "brief"),
                    Button("Help", "help"),
                )
            ),
        )
    )


def home_view(replies: Sequence[Reply], dm_channel: str) -> dict[str, Any]:
    """A `home` view of these replies, in order, within Slack's 100 blocks; the DM channel rides
    along in private_metadata so a button pressed here acts on that chat."""
    blocks: list[Block] = []
    for reply in replies:
        for message in render_slack(localise(reply)):
            blocks.extend(message.blocks)
        if blocks and reply is not replies[-1]:
            blocks.append({"type": "divider"})
    blocks = blocks[:VIEW_BLOCK_LIMIT]
    _renumber_actions(blocks)
    return {
        "type": "home",
        "private_metadata": dm_channel[:PRIVATE_METADATA_LIMIT],
        "blocks": blocks,
    }


def _renumber_actions(blocks: Sequence[Block]) -> None:
    """action_ids unique across the whole view, not only within each rendered message."""
    elements = [el for block in blocks if block["type"] == "actions" for el in block["elements"]]
    for index, element in enumerate(elements):
        element["action_id"] = f"{_INDEX.sub('', element['action_id'])}:{index}"
