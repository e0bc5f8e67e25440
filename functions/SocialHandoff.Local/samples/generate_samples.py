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
# Spam and hard negatives for the spam filter's evaluation (Spam/ and `eval`), appended with a random source of
# their own so every row above stays as it was. "split" says which rows tuning may look at: "dev" (with the ten
# spam rows above) or "holdout" (written separately, different wording; the thresholds and phrases are not tuned
# on them). Hard negatives are real mentions that look like spam: complaints with links, handles, promo codes or
# "DM me", questions about giveaways, praise with a link, one complaint posted three times by a new account.
# authorCreatedAt gives the account's age, as Mastodon, Bluesky and exports can.
spam_random = random.Random(20261130)
SPAM_SETS = {
    "dev": {
        "spam": [
            "{at} use code SAVE{n} for {n}% off everything at dealz-hub.shop 🔥",
            "Get a {thing} for FREE!!! click the link in bio {at} #free #win #giveaway #promo #deal #sale",
            "{at} {at} {at} best prices on {thing} anywhere, DM for details",
            "Make money online with crypto, guaranteed returns! {at} https://t.co/a{n} https://t.co/b{n} https://t.co/c{n}",
            "Limited time offer: {thing} 70% off at bestdeals dot xyz {at}",
            "Check out my page for cheap {thing} {at} #ad",
            "{at} I made £{n} this week working from home, whatsapp me to learn how. Work from home is the future",
            "{at} win big https://win.example/{n} https://prize.example/{n} https://bonus.example/{n} https://spin.example/{n}",
        ],
        "negative": [
            ("complaint", "{at} I was charged twice for the {thing}, screenshot here https://imgur.com/a/x{n}"),
            ("complaint", "{at} your promo code SAVE20 didn't work at checkout and I was charged full price for the {thing}"),
            ("complaint", "{at} please DM me, my refund for the {thing} still hasn't arrived after {n} days"),
            ("complaint", "Anyone else's {thing} from {at} broken? pics: https://i.imgur.com/{n}a.jpg https://i.imgur.com/{n}b.jpg https://i.imgur.com/{n}c.jpg"),
            ("question", "{at} is the giveaway on your site real? Looks like a scam using your logo"),
            ("praise", "Loving the {thing} from {at}! Wrote a review on my blog: https://myblog.example/post-{n}"),
            ("question", "{at} does the offer on this page apply to the {thing}? https://www.example.com/offers/{n}"),
            ("complaint", "{at} @{at2} the {thing} I ordered never came and customer service keeps closing my ticket"),
        ],
        "burst": "Great offers on {thing} today only {at} https://spam.link/{n}",
        "repeat_complaint": "{at} still waiting for my refund for the {thing}, nobody answers",
    },
    "holdout": {
        "spam": [
            "Want a {thing} for nothing? Free gift cards here -> giftz.top/{n} {at}",
            "{at} promo code WIN{n} gets you double points, buy now!",
            "🚀 Airdrop live! Connect your wallet to claim {n} tokens {at} https://claim-now.io https://airdrop.win https://bonus.vip",
            "Follow back for more {thing} deals {at} #follow #followback #like #likeforlike #instagood #sale",
            "{at} earn $300 daily, no experience needed, message me",
            "Investment opportunity: 10x in 30 days {at} join my telegram",
            "Order now: cheap replica {thing} at www.knockoffs.example {at}",
            "{at} {at} {at} {at} giveaway time, tag 3 friends",
        ],
        "negative": [
            ("complaint", "{at} my {thing} stopped working after a week, video of the fault: https://youtu.be/x{n}"),
            ("complaint", "{at} used the discount code from your email and got charged twice. Order #{n}. Not happy"),
            ("complaint", "Hey {at} can you DM me? Nobody has called back about the broken {thing} for {n} days"),
            ("question", "{at} got a message saying I won a gift card from you, is this a phishing scam?"),
            ("praise", "{at} thanks for the quick fix! Shared the story here https://medium.example/@me/{n}"),
            ("complaint", "{at} {at2} {at3} three weeks and still no refund for the {thing}. Terrible"),
            ("neutral", "New {thing} from {at} reviewed by Tech Daily https://techdaily.example/reviews/{n}"),
            ("complaint", "{at} the link in your delivery email is broken and tracking shows nothing for order {n}"),
        ],
        "burst": "Exclusive {thing} bargains for my followers {at} visit https://bargain.link/{n}",
        "repeat_complaint": "{at} order {n} never arrived, third time asking",
    },
}
OTHER_HANDLES = ["@ContosoBank", "@NorthwindCafe", "@FabrikamHome", "@TailspinAir", "@WoodgroveBank"]
spam_rows = []
spam_start = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)

def spam_record(kind, split, brand, text, handle, followers, created_days, at_minute):
    posted = spam_start + timedelta(minutes=at_minute, seconds=spam_random.randint(0, 59))
    record = {
        "id": str(1860000000000000000 + len(spam_rows) * 7919 + spam_random.randint(0, 7000)),
        "postedAt": posted.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "brand": brand, "handle": handle, "name": handle.split("_")[0].capitalize(), "followers": followers, "verified": False,
        "lang": "en", "text": text, "kind": kind, "split": split,
        "likes": spam_random.randint(0, 6), "reposts": 0, "replies": spam_random.randint(0, 3),
    }
    if created_days is not None:
        record["authorCreatedAt"] = (posted - timedelta(days=created_days, hours=spam_random.randint(0, 20))).strftime("%Y-%m-%dT%H:%M:%SZ")
    record["url"] = f"https://x.com/{handle}/status/{record['id']}"
    spam_rows.append(record)

def spam_fill(template, brand):
    others = [h for h in OTHER_HANDLES if h != BRANDS[brand]["at"]]
    return template.format(at=BRANDS[brand]["at"], at2=others[0], at3=others[1], thing=spam_random.choice(BRANDS[brand]["thing"]),
                           n=spam_random.choice([5, 12, 25, 40, 99, 250, 1200, 4521]))

minute = 0
for split, sets in SPAM_SETS.items():
    for template in sets["spam"]:
        for _ in range(3):
            brand = spam_random.choice(list(BRANDS))
            handle = spam_random.choice(["deals", "promo", "cash", "win", "crypto", "free"]) + "_" + spam_random.choice(FIRST) + str(spam_random.randint(10, 999))
            spam_record("spam", split, brand, spam_fill(template, brand), handle, spam_random.randint(0, 40),
                        spam_random.choice([None, 1, 3, 9, 200]), minute)
            minute += spam_random.randint(3, 25)
    for kind, template in sets["negative"]:
        for _ in range(3):
            brand = spam_random.choice(list(BRANDS))
            handle = spam_random.choice(FIRST) + spam_random.choice(LAST)
            spam_record(kind, split, brand, spam_fill(template, brand), handle, int(spam_random.lognormvariate(4.5, 1.5)),
                        spam_random.choice([None, 2, 15, 400, 2000]), minute)
            minute += spam_random.randint(3, 25)
    # A new account posting one advert five times (links and numbers varied), and a new account posting one complaint three times.
    brand = spam_random.choice(list(BRANDS))
    bot = "offers_" + spam_random.choice(FIRST) + str(spam_random.randint(100, 999))
    advert = sets["burst"].replace("{thing}", spam_random.choice(BRANDS[brand]["thing"]))
    for _ in range(5):
        spam_record("spam", split, brand, spam_fill(advert, brand), bot, 3, 2, minute)
        minute += spam_random.randint(1, 4)
    customer = spam_random.choice(FIRST) + "_new" + str(spam_random.randint(1, 99))
    complaint = spam_fill(sets["repeat_complaint"], brand)
    for _ in range(3):
        spam_record("complaint", split, brand, complaint, customer, 2, 1, minute)
        minute += spam_random.randint(20, 60)

with open("mentions.jsonl", "a", encoding="utf-8") as out:
    for record in spam_rows:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
print(len(spam_rows), "spam and hard-negative mentions appended (split dev / holdout)")
