#!/usr/bin/env python3
"""Writes mentions.jsonl: a sample of brand mentions written for SocialHandoff (fictional brands,
handles and events). Deterministic (fixed seed); rerun after editing the phrase lists.
Three brands: northwind (coffee shops and delivery), contoso (bank and app), fabrikam (home electronics)."""
import json, random
from datetime import datetime, timedelta, timezone

random.seed(20261101)
BRANDS = {
    "northwind": {"at": "@NorthwindCafe", "thing": ["oat latte", "breakfast wrap", "cold brew", "blueberry muffin", "flat white", "chicken panini"], "place": ["Leeds Station", "Camden High St", "the airport store", "Deansgate", "the Bristol Harbourside shop"]},
    "contoso": {"at": "@ContosoBank", "thing": ["app", "debit card", "savings account", "mortgage application", "card reader", "online banking"], "place": ["the Kingsway branch", "the app", "the helpline", "the Glasgow branch", "online chat"]},
    "fabrikam": {"at": "@FabrikamHome", "thing": ["air fryer", "robot vacuum", "smart thermostat", "kettle", "soundbar", "heated blanket"], "place": ["your website", "the Birmingham store", "your outlet store", "the app", "your Amazon shop"]},
}
# {at} brand handle, {thing} product, {place}, {n} a number, {d} a day
COMPLAINTS = [
    "{at} I was charged twice for my {thing} order #{n} and nobody answers the chat. I want a refund today.",
    "Third time this month the {thing} from {place} has been wrong. {at} do you even check orders any more?",
    "{at} my delivery was due Tuesday, tracking has said 'out for delivery' for {n} hours. Where is my parcel?",
    "Absolutely useless. Waited {n} minutes on hold with {at} and got cut off. Again.",
    "{at} your {thing} stopped working after {n} days. Support ticket open for a week, no reply. Not good enough.",
    "Never ordering from {at} again. Cold food, rude driver, no refund.",
    "{at} why does the {thing} keep logging me out?? I can't pay my rent like this",
    "Still no refund from {at} for the {thing} I returned on {d}. That's {n} days now.",
    "{at} you overcharged me on my invoice, the subscription price went up without any notice",
    "Queue out the door at {place} and only one person serving. {at} sort your staffing out",
    "The {thing} arrived broken and the courier just left it in the rain. {at} what now?",
    "{at} terrible service at {place} today, the manager was dismissive and rude",
    "Is it just me or is the {at} {thing} down again? Error {n} every time I try",
    "{at} been double charged for the {thing}, £{n} gone from my account. Fix this please",
    "{at} the {thing} is so overpriced now. £{n}?? Used to be half that",
]
QUESTIONS = [
    "{at} do you deliver to postcode areas outside the M25?",
    "{at} what time does {place} open on bank holidays?",
    "Hi {at}, how do I change the address on my account?",
    "{at} is the {thing} available in white or only black?",
    "{at} can I still use my voucher if it expired on {d}?",
    "Does anyone know if {at} does student discount on the {thing}?",
    "{at} quick question, is there a warranty on the {thing} if I bought it at {place}?",
    "{at} how long do refunds usually take to show up?",
    "{at} can you tell me why my order #{n} hasn't shipped yet?",
    "{at} is there a way to turn off the marketing emails? Can't find it in settings",
]
PRAISE = [
    "Shout out to the team at {place}, {at} you made my morning. Best {thing} in town!",
    "{at} just wanted to say thanks, the replacement {thing} arrived next day. Brilliant service",
    "Loving my new {thing} from {at}, works perfectly and looks great",
    "Credit where it's due, {at} sorted my problem in {n} minutes on chat. Impressed.",
    "{at} the staff at {place} are always so friendly, thank you Jess!",
    "The {thing} from {at} is honestly the best thing I've bought this year",
    "Really smooth experience with {at} today, easy and quick. Will recommend",
    "{at} great job on the new {thing}, so much better than the old one",
]
NEUTRAL = [
    "Picked up a {thing} from {at} on the way to work",
    "{at} announced new opening hours for {place} from next month",
    "Anyone tried the new {thing} from {at} yet?",
    "Comparing {at} with the other big names before I decide on a {thing}",
    "At {place} waiting for a friend",
]
CRISES = {
    "northwind": [
        "{at} my whole family has food poisoning after eating the {thing} from {place} yesterday. My son is in hospital. This is disgusting",
        "Food poisoning after a {at} {thing}. Three of us at work were sick within hours. Who do I report this to?",
        "There's smoke pouring out of the kitchen at {place}, fire brigade on the way. {at} is everyone ok??",
        "{at} found a piece of glass in my {thing}. My daughter nearly swallowed it. Unacceptable and dangerous",
        "Allergic reaction after the {thing} at {place}, I told them about my nut allergy twice. {at} ambulance had to come",
    ],
    "contoso": [
        "{at} I've just had an email saying my data was leaked in a data breach. Is this real? Why did I hear it from the news first?",
        "Someone emptied my {at} account overnight, £{n} gone, and the helpline is closed. I think I've been hacked. Please help urgently",
        "{at} your app is showing me someone else's account and transactions. That's a serious data breach",
        "Reports of a {at} data breach everywhere and not a word from them. Thousands of customers exposed",
        "{at} fraud on my card, {n} transactions I never made, card is frozen and I have no money for food",
    ],
    "fabrikam": [
        "My {at} {thing} caught fire on the kitchen counter this morning. Could have burned the house down. Is there a recall?",
        "{at} the {thing} overheated and melted the plug, there was smoke everywhere. This is a fire hazard",
        "{at} the {thing} exploded while charging, my partner was injured. We're speaking to a lawyer",
        "Electric shock from the {at} {thing} when I touched the casing. Kids use this. Dangerous product",
    ],
}
SPAM = [
    "Earn £{n} a day from home!!! DM me, no experience needed #ad {at}",
    "{at} FREE gift cards for the first 100 followers, click the link in bio",
    "Crypto giveaway 🚀🚀 send 0.1 get 1 back {at} {at} {at}",
    "Follow for follow? {at} #followback #f4f",
    "Cheap {thing} deals at totally-legit-outlet dot biz, better than {at}",
]
FOREIGN = [
    ("es", "{at} llevo dos semanas esperando el reembolso y nadie me responde. Muy mal servicio"),
    ("es", "Me encanta el {thing} de {at}, ¡gracias por la atención tan rápida!"),
    ("fr", "{at} ma commande n'est jamais arrivée et le service client ne répond pas. Inadmissible."),
    ("fr", "Merci {at}, l'équipe de {place} est vraiment adorable"),
    ("de", "{at} ich wurde doppelt belastet und warte seit Tagen auf eine Antwort. Sehr ärgerlich"),
    ("de", "Super Service von {at}, Ersatz kam schon am nächsten Tag. Danke!"),
    ("pt", "{at} meu pedido chegou quebrado e ninguém resolve. Péssimo atendimento"),
    ("it", "{at} il mio ordine è in ritardo di una settimana, nessuna risposta dal servizio clienti"),
    ("nl", "{at} mijn pakket is nooit aangekomen, wat nu?"),
    ("ja", "{at} 注文した商品がまだ届きません。対応してください。"),
    ("pl", "{at} dziękuję za szybką pomoc, wszystko działa!"),
]
FIRST = ["sam", "priya", "tom", "aisha", "liam", "mei", "olu", "kate", "raj", "zoe", "dan", "fatima", "josh", "ellie", "marek", "nia", "ben", "lucy", "omar", "hannah"]
LAST = ["_writes", "88", "_uk", "jones", "_m", "official", "_b", "1990", "codes", "_travels", "k", "_x"]
MEDIA = [("BBC_Consumer", "Consumer desk", 1250000, True), ("TechDailyNews", "Tech Daily", 480000, True), ("LocalNewsLeeds", "Leeds Live", 96000, True), ("MoneySaverSue", "Sue | money tips", 210000, False)]

def fill(template, brand):
    b = BRANDS[brand]
    return template.format(at=b["at"], thing=random.choice(b["thing"]), place=random.choice(b["place"]),
                           n=random.choice([2, 3, 4, 5, 6, 9, 12, 14, 21, 45, 58, 90, 120, 349, 1200, 48213, 77031]),
                           d=random.choice(["the 3rd", "Monday", "12 October", "last Friday"]))

def author(kind):
    if kind == "crisis" and random.random() < 0.35:
        h, n, f, v = random.choice(MEDIA)
        return h, n, f, v
    h = random.choice(FIRST) + random.choice(LAST)
    followers = int(random.lognormvariate(5.2, 1.6))
    verified = followers > 20000 and random.random() < 0.5
    return h, h.split("_")[0].capitalize(), followers, verified

plan = ([("complaint", t) for t in COMPLAINTS] * 8 + [("question", t) for t in QUESTIONS] * 6
        + [("praise", t) for t in PRAISE] * 5 + [("neutral", t) for t in NEUTRAL] * 3
        + [("spam", t) for t in SPAM] * 2)
rows = []
start = datetime(2026, 10, 26, 7, 0, tzinfo=timezone.utc)
for kind, template in plan:
    rows.append((kind, random.choice(list(BRANDS)), template, "en"))
for brand, templates in CRISES.items():
    for t in templates:
        rows.append(("crisis", brand, t, "en"))
for lang, t in FOREIGN * 2:
    rows.append(("foreign", random.choice(list(BRANDS)), t, lang))
random.shuffle(rows)

seen = set()
with open("mentions.jsonl", "w", encoding="utf-8") as out:
    for i, (kind, brand, template, lang) in enumerate(rows):
        text = fill(template, brand)
        for _ in range(20):
            if text not in seen:
                break
            brand = random.choice(list(BRANDS)) if kind != "crisis" else brand
            text = fill(template, brand)
        seen.add(text)
        handle, name, followers, verified = author(kind)
        posted = start + timedelta(minutes=i * 7 + random.randint(0, 6), seconds=random.randint(0, 59))
        viral = kind == "crisis" or random.random() < 0.05
        likes = int(random.lognormvariate(5 if viral else 1, 1.5))
        record = {
            "id": str(1850000000000000000 + i * 7919 + random.randint(0, 7000)),
            "postedAt": posted.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "brand": brand,
            "handle": handle,
            "name": name,
            "followers": followers,
            "verified": verified,
            "lang": lang,
            "text": text,
            "kind": kind,   # what the template was written as (crisis, complaint, ...): the evaluation checks priorities by it
            "likes": likes,
            "reposts": likes // random.randint(3, 12),
            "replies": random.randint(0, 30 if viral else 4),
        }
        record["url"] = f"https://x.com/{handle}/status/{record['id']}"
        if random.random() < 0.08:
            del record["followers"]   # some exports lack author metrics
        if random.random() < 0.05:
            del record["lang"]
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
print(len(rows), "mentions written")

# The other sources, as their adapters hand them on (source, id, author, reach, language): appended so the
# local runner, which reads this export when no live source is configured, shows every source.
OTHER_SOURCES = [
    {"source": "mastodon", "id": "https://mastodon.social/users/ruthk/statuses/113400000000000001", "postedAt": "2026-10-27T09:12:00Z", "brand": "contoso",
     "handle": "ruthk@mastodon.social", "name": "Ruth K", "followers": 1840, "lang": "en", "likes": 14, "reposts": 6, "replies": 3,
     "text": "@contoso my router keeps dropping the connection every evening since the update. Three calls to support, no fix. #contoso",
     "url": "https://mastodon.social/@ruthk/113400000000000001"},
    {"source": "mastodon", "id": "https://fosstodon.org/users/jan/statuses/113400000000000002", "postedAt": "2026-10-28T15:40:00Z", "brand": "northwind",
     "handle": "jan@fosstodon.org", "name": "Jan", "followers": 220, "lang": "nl", "likes": 2, "reposts": 0, "replies": 1,
     "text": "Bestelling bij @NorthwindCafe nog steeds niet geleverd, al vijf dagen. Iemand anders ook?",
     "url": "https://fosstodon.org/@jan/113400000000000002"},
    {"source": "bluesky", "id": "at://did:plc:7ab3kq2mzp/app.bsky.feed.post/3l4xk2c7aa22a", "postedAt": "2026-10-27T11:03:00Z", "brand": "contoso",
     "handle": "mira.bsky.social", "name": "Mira", "lang": "en", "likes": 31, "reposts": 9, "replies": 4, "quotes": 2,
     "text": "contoso charged my card twice for the same order and the chat bot keeps closing my ticket. refund please",
     "url": "https://bsky.app/profile/mira.bsky.social/post/3l4xk2c7aa22a"},
    {"source": "bluesky", "id": "at://did:plc:q2w9nd0e1t/app.bsky.feed.post/3l4yb7d2bd33b", "postedAt": "2026-10-29T08:20:00Z", "brand": "northwind",
     "handle": "theo.dev", "name": "Theo", "lang": "en", "likes": 5, "reposts": 0, "replies": 0, "quotes": 0,
     "text": "shoutout to Northwind Cafe staff at the station branch, sorted my wrong order in two minutes",
     "url": "https://bsky.app/profile/theo.dev/post/3l4yb7d2bd33b"},
    {"source": "reddit", "id": "1gd4k2x", "postedAt": "2026-10-27T19:45:00Z", "brand": "contoso",
     "handle": "throwaway_net42", "name": "throwaway_net42", "likes": 212, "reposts": 3, "replies": 87,
     "text": "Contoso outage again tonight?\n\nWhole street is down since 7pm, status page says all green. Anyone got an ETA?",
     "url": "https://www.reddit.com/r/contoso/comments/1gd4k2x/contoso_outage_again_tonight/"},
    {"source": "reddit", "id": "1ge9m3q", "postedAt": "2026-10-30T12:10:00Z", "brand": "northwind",
     "handle": "coffee_nerd_uk", "name": "coffee_nerd_uk", "likes": 18, "reposts": 0, "replies": 11,
     "text": "Northwind Cafe app lost all my loyalty points\n\nHad 40 stamps, now zero. Support says to wait 10 working days.",
     "url": "https://www.reddit.com/r/london/comments/1ge9m3q/northwind_cafe_app_lost_all_my_loyalty_points/"},
    {"source": "rss", "id": "5f1c2a9e07b34d6f8a1e2b3c4d5e6f70", "postedAt": "2026-10-28T06:00:00Z", "brand": "contoso",
     "handle": "Tech Daily", "name": "Tech Daily", "lang": "en",
     "text": "Contoso broadband customers report evening outages\nSeveral regions saw connections drop after last week's firmware update; Contoso says it is investigating.",
     "url": "https://techdaily.example/news/contoso-broadband-outages"},
    {"source": "rss", "id": "9a8b7c6d5e4f30211203f4e5d6c7b8a9", "postedAt": "2026-10-31T07:30:00Z", "brand": "northwind",
     "handle": "Leeds Live", "name": "Leeds Live", "lang": "en-gb",
     "text": "Northwind Cafe recalls chicken wraps over allergen labelling\nThe chain says wraps sold between 24 and 29 October may contain sesame not listed on the label.",
     "url": "https://leedslive.example/news/northwind-recall-wraps"},
]
with open("mentions.jsonl", "a", encoding="utf-8") as out:
    for record in OTHER_SOURCES:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
print(len(OTHER_SOURCES), "mentions of the other sources appended")

# Echoes: one complaint copied, reposted and quoted by many within the hour (an incident that surges), and a
# Reddit post cross-posted to X and Bluesky over an afternoon (a small incident). Appended, so every record
# above stays as it was; fixed texts and times, no random numbers.
ECHO = "@ContosoBank the app logged everyone out and now rejects my password. 2 hours locked out of my own money and no reply from support."
ECHO_COPIES = [
    ("contoso", "x", "dana_reads", 412, "2026-10-29T18:02:10Z", ECHO),
    ("contoso", "x", "m_okafor", 88, "2026-10-29T18:05:44Z", "RT @dana_reads: " + ECHO),
    ("contoso", "x", "pjlewis", 1290, "2026-10-29T18:07:02Z", "Same here!! " + ECHO.replace("2 hours", "3 hours")),
    ("contoso", "x", "sarah_b_91", 35, "2026-10-29T18:09:30Z", ECHO + " 😡😡"),
    ("contoso", "x", "ktownsend", 2210, "2026-10-29T18:12:15Z", "RT @dana_reads: " + ECHO),
    ("contoso", "x", "finance_fred", 16400, "2026-10-29T18:15:51Z", ECHO.upper()),
    ("contoso", "x", "rosie_m", 57, "2026-10-29T18:18:03Z", "@ContosoBank @dana_reads the app logged everyone out and now rejects my password. locked out of my own money and no reply from support https://t.co/k2Jd8s"),
    ("contoso", "bluesky", "amir.bsky.social", 640, "2026-10-29T18:20:40Z", "contoso: the app logged everyone out and now rejects my password. 2 hours locked out of my own money and still no reply from support"),
    ("contoso", "x", "glasgow_gav", 129, "2026-10-29T18:24:19Z", "RT @dana_reads: " + ECHO),
    ("contoso", "x", "nadia_k", 903, "2026-10-29T18:27:37Z", ECHO.replace("#", "") + " #ContosoDown"),
    ("contoso", "x", "tom_h_", 21, "2026-10-29T18:31:58Z", "@ContosoBank the app logged everyone out & now rejects my password!!! 4 hours locked out of my own money and no reply from support."),
    ("contoso", "mastodon", "leah@mastodon.social", 310, "2026-10-29T18:38:26Z", "Boosting: " + ECHO),
    ("contoso", "x", "jwu", 77, "2026-10-29T18:44:05Z", "RT @dana_reads: " + ECHO),
]
CROSS = "Northwind Cafe app lost all my loyalty points. Had 40 stamps, now zero. Support says to wait 10 working days, not good enough @NorthwindCafe"
CROSS_COPIES = [
    ("northwind", "x", "coffee_nerd_uk", 1450, "2026-10-30T12:31:00Z", CROSS + " https://redd.it/1ge9m3q"),
    ("northwind", "x", "beanqueen", 260, "2026-10-30T13:05:12Z", "Same thing happened to me. " + CROSS.replace("40 stamps", "25 stamps")),
    ("northwind", "bluesky", "latte.bsky.social", 95, "2026-10-30T14:47:33Z", CROSS.lower()),
]
with open("mentions.jsonl", "a", encoding="utf-8") as out:
    for n, (brand, source, handle, followers, posted, text) in enumerate(ECHO_COPIES + CROSS_COPIES):
        record = {"id": f"echo-{n + 1:02d}", "postedAt": posted, "brand": brand, "handle": handle, "name": handle.split("@")[0].split(".")[0],
                  "followers": followers, "lang": "en", "text": text, "kind": "complaint", "likes": 3 + n, "reposts": n % 4, "replies": 1}
        if source != "x":
            record["source"] = source
        record["url"] = {"x": f"https://x.com/{handle}/status/18510000000000{n + 1:05d}",
                         "bluesky": f"https://bsky.app/profile/{handle}/post/3l5echo{n + 1:02d}",
                         "mastodon": f"https://mastodon.social/@{handle.split('@')[0]}/1134100000000{n + 1:05d}"}[source]
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
print(len(ECHO_COPIES) + len(CROSS_COPIES), "echoed complaints appended")
