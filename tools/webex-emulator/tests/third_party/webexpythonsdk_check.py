"""Drives the standalone webex-bot emulator with Cisco's community Python SDK, unmodified:
rooms, memberships, messages with paging, webhooks and files. Exits non-zero on any failure.

usage: webexpythonsdk_check.py BASE_URL USER_TOKEN BOT_TOKEN BOT_EMAIL
"""
import os
import sys
import tempfile

import requests
from webexpythonsdk import WebexAPI

base, user_token, bot_token, bot_email = sys.argv[1:5]
base = base.rstrip("/") + "/"
user = WebexAPI(access_token=user_token, base_url=base)
bot = WebexAPI(access_token=bot_token, base_url=base)

me = user.people.me()
assert me.type == "person", me

room = user.rooms.create("SDK room")
user.memberships.create(room.id, personEmail=bot_email)
members = list(user.memberships.list(roomId=room.id))
assert len(members) == 2, members
assert room.id in [r.id for r in user.rooms.list(type="group")]

for i in range(7):
    user.messages.create(roomId=room.id, markdown="**%d**" % i)
listed = list(user.messages.list(roomId=room.id, max=3))
assert [m.text for m in listed] == ["6", "5", "4", "3", "2", "1", "0"], [m.text for m in listed]
assert listed[0].html == "<p><strong>6</strong></p>", listed[0].html

# A bot reads a group room only through its mentions, page by page.
user.messages.create(roomId=room.id, markdown="<@personEmail:%s|Bot> one" % bot_email)
user.messages.create(roomId=room.id, markdown="<@personEmail:%s|Bot> two" % bot_email)
seen = list(bot.messages.list(roomId=room.id, mentionedPeople="me", max=1))
assert [m.text for m in seen] == ["Bot two", "Bot one"], [m.text for m in seen]

hook = user.webhooks.create(name="sdk", targetUrl="http://127.0.0.1:9/", resource="messages", event="created")
assert hook.id in [h.id for h in user.webhooks.list()]
user.webhooks.delete(hook.id)
assert hook.id not in [h.id for h in user.webhooks.list()]

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "notes.txt")
    with open(path, "w") as f:
        f.write("line one\nline two\n")
    sent = user.messages.create(roomId=room.id, text="the notes", files=[path])
assert len(sent.files) == 1, sent
auth = {"Authorization": "Bearer " + user_token}
head = requests.head(sent.files[0], headers=auth)
assert head.status_code == 200 and head.headers["Content-Length"] == "18", head.headers
assert 'filename="notes.txt"' in head.headers["Content-Disposition"], head.headers
body = requests.get(sent.files[0], headers=auth)
assert body.content == b"line one\nline two\n", body.content

print("third-party client: ok")
