"""Warehouse figures: loading, full-text search three ways, cookbook query times, exports, locks, snapshots.

Run: `python bench/warehouse.py [--articles 10000] [--keep DIR]`. Prints figures; never a test.

The warehouse is made of the bundled sample pages replicated under new URLs, a day
apart (one feed document per 500 articles). With the entity and agreement
extractors importable it is ingested over HTTP by the real flow (StaticServer and
`flows.ingest.ingest`); without them each sample page is parsed once by the real
parser, replicated, and loaded by the real loaders in the flow's batches of 200,
with hand-written facts standing in for the extractors. The output says which.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import queue
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors.records import article_facts, stored_article  # noqa: E402
from flows.config import SAMPLE_DIR  # noqa: E402
from schemas import (  # noqa: E402
    Agreement,
    Alias,
    ArticleFacts,
    ArticleText,
    Entity,
    Evidence,
    FeedEntry,
    FeedState,
    Mention,
    Party,
    Reject,
    Span,
    StoredArticle,
    Title,
)
from warehouse import facts, load, maintenance, search, snapshot  # noqa: E402
from warehouse.db import connect, snapshot_path, transaction  # noqa: E402

HOST = "bench.newsflow.test"
BATCH = 200  # as flows.runs.BATCH
START = dt.datetime(2019, 1, 1, 8, tzinfo=dt.UTC)
QUERIES = ["tibet", "memorandum of cooperation", "oil reserves", "central enterprises infrastructure", "wallcoverings"]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def timed(fn, repeat: int = 5) -> tuple[float, object]:
    """Median wall time of `repeat` calls, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return median(times), out


# --- the generated site ---------------------------------------------------------------------

def build_site(root: Path, n: int) -> Path:
    """n article pages replicated from the sample, RSS documents of 500 entries, a feeds file; returns it.

    Each feed document also links one page that does not exist, so the warehouse has rejects."""
    templates = sorted((SAMPLE_DIR / "site" / "articles").glob("*.html"))
    (root / "articles").mkdir(parents=True)
    (root / "feeds").mkdir()
    items = []
    for i in range(n):
        t = templates[i % len(templates)]
        name = f"{i:06d}-{t.name}"
        when = START + dt.timedelta(days=i // len(templates))
        page = t.read_text(encoding="utf-8")
        page = re.sub(r'(article:published_time" content=")[^"]+', lambda m, when=when: m[1] + when.isoformat(), page)
        page = re.sub(r'(rel="canonical" href=")[^"]+', lambda m, name=name: f"{m[1]}http://{HOST}/articles/{name}", page)
        (root / "articles" / name).write_text(page, encoding="utf-8")
        title = re.search(r"<h1>(.*?)</h1>", page)[1]
        items.append(f"<item><title>{title}</title><link>http://{HOST}/articles/{name}</link>"
                     f"<pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>")
    feeds = []
    for k in range(0, n, 500):
        (root / "feeds" / f"f{k // 500:03d}.xml").write_text(
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>bench {k // 500}</title>'
            + f"<item><title>Gone</title><link>{missing_page(k // 500)}</link></item>" + "".join(items[k : k + 500]) + "</channel></rss>",
            encoding="utf-8")
        feeds.append(f'[[feeds]]\nname = "bench-{k // 500:03d}"\nurl = "http://{HOST}/feeds/f{k // 500:03d}.xml"\nmax_entries = 501\n')
    (root / "feeds.toml").write_text("\n".join(feeds))
    return root / "feeds.toml"


def missing_page(feed: int) -> str:
    return f"http://{HOST}/articles/missing-{feed:03d}.html"


def extractors_ready() -> bool:
    try:
        import extractors.analysis  # noqa: F401
    except ImportError:
        return False
    return True


def _probe(db: str, stop, waits) -> None:
    """In another process, as an analyst would: open the warehouse read-only every half second, and the snapshot."""
    while not stop.is_set():
        t0 = time.perf_counter()
        with connect(db, read_only=True, wait=120) as con:
            con.execute("SELECT count(*) FROM articles").fetchone()
        t1 = time.perf_counter()
        with connect(snapshot_path(db), read_only=True, wait=0) as con:
            con.execute("SELECT count(*) FROM articles").fetchone()
        waits.put((t1 - t0, time.perf_counter() - t1))
        time.sleep(0.5)


def ingest_http(db: Path, site: Path, feeds_file: Path) -> list[tuple[float, float]]:
    """Ingest with the real flow while another process keeps reading; returns (warehouse, snapshot) open-and-count seconds."""
    from flows.config import quiet_prefect
    from flows.http import FetchPolicy
    from flows.ingest import ingest
    from flows.static_server import StaticServer

    quiet_prefect()
    snapshot.publish(db)  # an empty warehouse, so the probe has a snapshot to read from the start
    ctx = multiprocessing.get_context("spawn")
    stop, waits = ctx.Event(), ctx.Queue()
    probe = ctx.Process(target=_probe, args=(str(db), stop, waits))
    probe.start()
    with StaticServer(site) as server:
        policy = FetchPolicy(allow_loopback=True, hosts={HOST: server.address}, delay_s=0.0, concurrency=32, per_host=32)
        summary = asyncio.run(ingest(db=str(db), feeds_file=str(feeds_file), policy=policy))
    stop.set()
    samples = []
    while probe.is_alive() or not waits.empty():
        try:
            samples.append(waits.get(timeout=1))
        except queue.Empty:
            pass
    probe.join()
    print("  " + "\n  ".join(summary.lines()))
    return samples


# --- the stand-in: real parser and loaders, hand-written facts ------------------------------

SASAC = "State-owned Assets Supervision and Administration Commission of the State Council"
TIBET = "People's Government of the Tibet Autonomous Region"
HUBEI = "Hubei Provincial Government"


def _entity(body: str, kind: str, name: str, *aliases: str, **kw) -> Entity:
    """An entity with a mention wherever its name or an alias occurs in the body."""
    mentions = []
    for surface in (name, *aliases):
        for m in re.finditer(re.escape(surface), body):
            start = body.rfind(". ", 0, m.start()) + 2 if body.rfind(". ", 0, m.start()) >= 0 else 0
            end = body.find(". ", m.end())
            mentions.append(Mention(surface=surface, span=Span(block="body", start=m.start(), end=m.end()),
                                    sentence=body[start : end + 1 if end >= 0 else len(body)]))
    return Entity(kind=kind, name=name, aliases=[Alias(text=a, kind="spelling_variant") for a in aliases], mentions=mentions, **kw)


def _agreement(body: str, type_: str, date: str, parties: list[Party], sentence: str, **kw) -> Agreement:
    start = body.find(sentence)
    return Agreement(type=type_, status="signed", date=date, parties=parties,
                     evidence=[Evidence(text=sentence, span=Span(block="body", start=max(start, 0), end=max(start, 0) + len(sentence)))], **kw)


def standin_facts(template: str, body: str, date: str) -> tuple[list[Entity], list[Agreement]]:
    """What the extractors should find in the sample pages that name agreements; nothing in the others."""
    if template.startswith("cns-central-soes-tibet"):
        people = [
            _entity(body, "person", "Wu Yingjie", titles=[Title(title="Secretary of the Party Committee", organization="Tibet Autonomous Region")]),
            _entity(body, "person", "Hao Peng", titles=[Title(title="Director", organization=SASAC)]),
            Entity(kind="person", name="Ran Wenjuan", credit="reporter"),
            Entity(kind="person", name="Gonggar Laisong", aliases=[Alias(text="Gongga Laisong", kind="spelling_variant")], credit="photographer"),
        ]
        orgs = [_entity(body, "organization", SASAC, org_kind="government"), _entity(body, "organization", TIBET, org_kind="government"),
                _entity(body, "place", "Tibet Autonomous Region"), _entity(body, "place", "Lhasa")]
        agreements = [
            _agreement(body, "memorandum", date, [Party(name=SASAC), Party(name=TIBET)], "At the meeting, the State-owned Assets",
                       period="14th Five-Year Plan", place="Lhasa"),
            _agreement(body, "cooperation_agreement", date, [Party(name="central enterprises", kind="collective", count=15), Party(name=TIBET)],
                       "15 central enterprises and the People's Government", place="Lhasa"),
            _agreement(body, "joint_venture", date, [Party(name="state-owned enterprises", kind="collective", count=8, with_affiliates=True),
                                                     Party(name="state-owned enterprises in the autonomous region", kind="collective", count=8)],
                       "Eight state-owned enterprises and their affiliated", place="Lhasa"),
        ]
        return people + orgs, agreements
    if template.startswith("hubei-central-enterprises"):
        ents = [_entity(body, "organization", HUBEI, "Hubei provincial government", org_kind="government"),
                _entity(body, "person", "Wang Xiaodong", titles=[Title(title="Governor", organization="Hubei Province")]),
                _entity(body, "organization", "China National Offshore Oil Corporation", org_kind="soe"),
                _entity(body, "organization", "China Sinochem Group", org_kind="soe")]
        parties = [Party(name=HUBEI), Party(name="China National Offshore Oil Corporation"), Party(name="China Sinochem Group")]
        return ents, [_agreement(body, "cooperation_agreement", date, parties, "Hubei provincial government signed", place="Wuhan")]
    if template.startswith("coloroll-wallco"):
        ents = [_entity(body, "organization", "Coloroll", org_kind="company"), _entity(body, "organization", "Wallco Inc", org_kind="company")]
        parties = [Party(name="Coloroll", role="acquirer"), Party(name="Wallco Inc", role="target")]
        return ents, [_agreement(body, "acquisition", date, parties, "Coloroll")]
    return [], []


def parsed_templates() -> dict[str, object]:
    """Each sample page parsed once by the real parser, by file name."""
    from extractors.page import parse_page

    templates = sorted((SAMPLE_DIR / "site" / "articles").glob("*.html"))
    return {t.name: parse_page(t.read_bytes(), "text/html; charset=utf-8", f"http://{HOST}/articles/{t.name}", None) for t in templates}


def make_batch(parsed: dict, names: list[str], first: int) -> list[tuple[StoredArticle, ArticleFacts]]:
    """The stored articles for generated pages `names`, numbered from `first`, as the generated site has them, with their facts."""
    items = []
    for i, name in enumerate(names, start=first):
        template = name.split("-", 1)[1]
        when = START + dt.timedelta(days=i // len(parsed))
        article = parsed[template].model_copy(update={"published_at": when, "canonical_url": f"http://{HOST}/articles/{name}"})
        entities, agreements = standin_facts(template, article.body, when.date().isoformat())
        stored = stored_article(f"http://{HOST}/articles/{name}", f"{i:064x}", article, feed_url=f"http://{HOST}/feeds/f{i // 500:03d}.xml")
        items.append((stored, article_facts(ArticleText(url=stored.url, article=article), entities, agreements, None, "bench")))
    return items


def load_batch(con, batch: list[tuple[StoredArticle, ArticleFacts]]) -> float:
    """What the flow's load task writes for a batch, in one transaction; returns the seconds spent indexing."""
    now = dt.datetime.now(dt.UTC)
    items = [stored for stored, _ in batch]
    feeds = [FeedState(url=u, name=f"bench-{u[-7:-4]}", kind="rss", last_polled_at=now, last_status=200) for u in {s.feed_url for s in items}]
    with transaction(con):
        load.save_feeds(con, feeds)
        for feed in feeds:
            entries = [FeedEntry(url=s.url, link=s.url, title=s.article.title, published_at=s.article.published_at)
                       for s in items if s.feed_url == feed.url]
            load.save_entries(con, feed.url,
                              entries + [FeedEntry(url=missing_page(int(feed.name[-3:])), link=missing_page(int(feed.name[-3:])))], now)
        load.save_rejects(con, "bench", [Reject(stage="fetch", reason="not found (404)", url=missing_page(int(f.name[-3:]))) for f in feeds], now)
        load.save_articles(con, "bench", "bench", items, now)
        facts.save_facts(con, "bench", [found for _, found in batch], now)
        t0 = time.perf_counter()
        search.index(con, [s.url for s in items], now)
        return time.perf_counter() - t0


def load_direct(db: Path, site: Path) -> list[tuple[float, float]]:
    """Load the generated pages batch by batch: (batch seconds, of which search indexing) per batch."""
    parsed, names = parsed_templates(), sorted(p.name for p in (site / "articles").iterdir())
    timings = []
    for k in range(0, len(names), BATCH):
        items = make_batch(parsed, names[k : k + BATCH], k)
        t0 = time.perf_counter()
        with connect(db) as con:
            indexing = load_batch(con, items)
        timings.append((time.perf_counter() - t0, indexing))
    return timings


# --- full-text search, three ways -----------------------------------------------------------

def bench_search(db: Path, work: Path) -> None:
    with connect(db) as con:
        urls = [u for (u,) in con.execute("SELECT url FROM articles").fetchall()]
        t0 = time.perf_counter()
        with transaction(con):
            con.execute("DELETE FROM search_postings")
            con.execute("DELETE FROM search_docs")
            search.index(con, urls, dt.datetime.now(dt.UTC))
        build = time.perf_counter() - t0
        t0 = time.perf_counter()
        with transaction(con):
            search.index(con, urls[:BATCH], dt.datetime.now(dt.UTC))
        update = time.perf_counter() - t0
        postings = con.execute("SELECT count(*) FROM search_postings").fetchone()[0]
        side = work / "index-only.duckdb"
        con.execute(f"ATTACH '{side}' AS side")
        con.execute("CREATE TABLE side.p AS FROM search_postings; CREATE TABLE side.d AS FROM search_docs; CHECKPOINT side; DETACH side")
        rows = con.execute("SELECT url, title, clean_body FROM articles").fetchall()
    print(f"\nfull-text search over {len(urls):,} articles")
    print(f"  DuckDB inverted index (chosen): build {build:.2f} s, re-index a batch of {BATCH} {ms(update)}, "
          f"{postings:,} postings, {side.stat().st_size / 2**20:.1f} MiB")
    with connect(db, read_only=True) as con:
        for q in QUERIES:
            t, hits = timed(lambda q=q: search.search(con, q, 10))
            print(f"    {q!r:40} {ms(t):>10}  top: {hits[0].title[:50] if hits else '-'}")
        print("  ILIKE scan of title and clean body (every word, no ranking):")
        for q in QUERIES:
            where = " AND ".join("concat_ws(' ', title, clean_body) ILIKE ?" for _ in q.split())
            t, n = timed(lambda where=where, q=q: con.execute(f"SELECT count(*) FROM articles WHERE {where}",
                                                              [f"%{w}%" for w in q.split()]).fetchone()[0])
            print(f"    {q!r:40} {ms(t):>10}  {n:,} matches")
    lite = work / "fts5.sqlite"
    sq = sqlite3.connect(lite)
    sq.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY, url TEXT UNIQUE)")
    sq.execute("CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='porter unicode61')")
    t0 = time.perf_counter()
    with sq:
        sq.executemany("INSERT INTO docs (url) VALUES (?)", [(r[0],) for r in rows])
        sq.executemany("INSERT INTO fts (rowid, title, body) VALUES ((SELECT id FROM docs WHERE url = ?), ?, ?)", rows)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    with sq:
        sq.executemany("DELETE FROM fts WHERE rowid = (SELECT id FROM docs WHERE url = ?)", [(r[0],) for r in rows[:BATCH]])
        sq.executemany("INSERT INTO fts (rowid, title, body) VALUES ((SELECT id FROM docs WHERE url = ?), ?, ?)", rows[:BATCH])
    update = time.perf_counter() - t0
    print(f"  SQLite FTS5 file beside the warehouse: build {build:.2f} s, re-index a batch of {BATCH} {ms(update)}, "
          f"{lite.stat().st_size / 2**20:.1f} MiB")
    for q in QUERIES:
        match = " OR ".join(q.split())
        t, hits = timed(lambda match=match: sq.execute(
            "SELECT d.url, f.title, snippet(fts, 1, '[', ']', '…', 12) FROM fts f JOIN docs d ON d.id = f.rowid "
            "WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT 10", [match]).fetchall())
        print(f"    {q!r:40} {ms(t):>10}")
    sq.close()


# --- the cookbook ---------------------------------------------------------------------------

def cookbook() -> list[tuple[str, str]]:
    """(question, sql) for every cookbook entry of docs/warehouse.md."""
    doc = (ROOT / "docs" / "warehouse.md").read_text(encoding="utf-8")
    cook = doc[doc.index("## Cookbook"):]
    return [(q.strip(), s.strip()) for q, s in re.findall(r"### (.+?)\n.*?```sql\n(.*?)```", cook, re.S)]


def bench_cookbook(db: Path) -> None:
    print("\ncookbook queries (median of 3)")
    with connect(db, read_only=True) as con:
        for question, sql in cookbook():
            t, rows = timed(lambda sql=sql: con.execute(sql).fetchall(), repeat=3)
            print(f"  {ms(t):>10}  {len(rows):>6} rows  {question}")


# --- exports, snapshots and locks -----------------------------------------------------------

def bench_export_and_snapshot(db: Path, work: Path) -> None:
    from warehouse.export import export

    print("\nexports and snapshots")
    for fmt in ("parquet", "csv", "jsonl"):
        out = work / f"export-{fmt}"
        with connect(db, read_only=True) as con:
            t0 = time.perf_counter()
            written = export(con, out, fmt)
        size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
        print(f"  export --format {fmt:8} {time.perf_counter() - t0:6.2f} s  {len(written)} tables and views, {size / 2**20:.1f} MiB")
    t, _ = timed(lambda: snapshot.publish(db), repeat=3)
    print(f"  snapshot: publish {t:.2f} s for a {db.stat().st_size / 2**20:.1f} MiB warehouse")


def _writer(db: str, attempt: int, held, seconds) -> None:
    """In another process: hold the write lock while loading a batch of new articles, as the flow's load task does."""
    parsed = parsed_templates()
    items = make_batch(parsed, [f"again{attempt}x{i:05d}-{name}" for i, name in enumerate(sorted(parsed) * (BATCH // len(parsed)))], 0)
    t0 = time.perf_counter()
    with connect(db) as con:
        held.set()
        load_batch(con, items)
    seconds.value = time.perf_counter() - t0


def bench_locks(db: Path, batch_seconds: list[float], probes: list[tuple[float, float]]) -> None:
    print("\nlocks: a reader in another process while a writer holds the file")
    if batch_seconds:
        print(f"  batch load (write lock held) during the build: median {median(batch_seconds):.2f} s, max {max(batch_seconds):.2f} s")
    if probes:
        wh, sn = sorted(w for w, _ in probes), sorted(s for _, s in probes)
        print(f"  during the ingest, {len(probes)} reads every 0.5 s: opening the warehouse took median {ms(median(wh))}, "
              f"95th percentile {ms(wh[int(len(wh) * 0.95)])}, max {max(wh):.2f} s; the snapshot: median {ms(median(sn))}, max {ms(max(sn))}")
    snap = snapshot_path(db)
    ctx = multiprocessing.get_context("spawn")
    for attempt in range(3):
        held, seconds = ctx.Event(), ctx.Value("d", 0.0)
        p = ctx.Process(target=_writer, args=(str(db), attempt, held, seconds))
        p.start()
        held.wait(60)
        t0 = time.perf_counter()
        with connect(snap, read_only=True, wait=0) as con:
            con.execute("SELECT count(*) FROM articles").fetchone()
        snap_wait = time.perf_counter() - t0
        t0 = time.perf_counter()
        with connect(db, read_only=True, wait=120) as con:
            con.execute("SELECT count(*) FROM articles").fetchone()
        wait = time.perf_counter() - t0
        p.join()
        print(f"  run {attempt + 1}: a writer loading {BATCH} articles (stand-in facts) held the lock {seconds.value:.2f} s; "
              f"reader of the warehouse waited {wait:.2f} s; "
              f"reader of the snapshot opened and counted in {ms(snap_wait)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--keep", type=Path, help="Keep the generated site and warehouse in this folder.")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="newsflow-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "bench.duckdb"
    try:
        t0 = time.perf_counter()
        feeds_file = build_site(work / "site", args.articles)
        print(f"generated {args.articles:,} pages in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        batches, probes = [], []
        if extractors_ready():
            print("ingesting over HTTP with the real flow (StaticServer + flows.ingest.ingest), another process reading")
            probes = ingest_http(db, work / "site", feeds_file)
            maintenance.wait()  # the run's upkeep (snapshot, compaction) ends before anything else is timed
        else:
            print("extractors not importable: real parser and loaders, hand-written facts, batches of 200")
            batches = load_direct(db, work / "site")
            print(f"  search indexing per batch: median {ms(median(i for _, i in batches))}")
            snapshot.publish(db)
        print(f"  warehouse built in {time.perf_counter() - t0:.1f} s: {db.stat().st_size / 2**20:.1f} MiB")
        bench_cookbook(db)
        bench_search(db, work)
        bench_export_and_snapshot(db, work)
        bench_locks(db, [b for b, _ in batches], probes)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
