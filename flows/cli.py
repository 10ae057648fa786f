"""The `newsflow` command line. Every command uses the embedded default database unless told otherwise."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import json
import sys
from pathlib import Path

import click

from flows.config import DEFAULT_DB, DEFAULT_FEEDS, SAMPLE_DIR, ConfigError, quiet_prefect

db_option = click.option(
    "--db", default=DEFAULT_DB, show_default=True, envvar="NEWSFLOW_DB", help="DuckDB warehouse file [env NEWSFLOW_DB]."
)


snapshot_option = click.option(
    "--snapshot", is_flag=True, help="Read the published snapshot (*.snapshot.duckdb beside --db), which no flow ever locks."
)


def _readable(db: str, snapshot: bool) -> str:
    """The file a read command opens: the warehouse, or its published snapshot."""
    if not snapshot:
        return db
    from warehouse.db import snapshot_path

    path = snapshot_path(db)
    if not path.exists():
        raise click.ClickException(f"no snapshot at {path}: run `newsflow snapshot --db {db}` (ingest publishes one after each run)")
    return str(path)


def politeness(f):
    """The fetch settings shared by `ingest`, `demo` and `serve`."""
    options = [
        click.option("--concurrency", type=int, default=32, show_default=True, envvar="NEWSFLOW_CONCURRENCY",
                     help="Requests in flight overall [env NEWSFLOW_CONCURRENCY]."),
        click.option("--per-host", type=int, default=4, show_default=True, envvar="NEWSFLOW_PER_HOST",
                     help="Requests in flight per host [env NEWSFLOW_PER_HOST]."),
        click.option("--delay", type=float, default=1.0, show_default=True, envvar="NEWSFLOW_DELAY",
                     help="Seconds between request starts to one host [env NEWSFLOW_DELAY]."),
        click.option("--user-agent", default=None, envvar="NEWSFLOW_USER_AGENT", help="User-Agent header [env NEWSFLOW_USER_AGENT]."),
        click.option("--allow-local", is_flag=True, envvar="NEWSFLOW_ALLOW_LOCAL",
                     help="Also fetch from 127.0.0.1/localhost (your own test servers); private networks stay refused [env NEWSFLOW_ALLOW_LOCAL]."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def make_policy(concurrency: int, per_host: int, delay: float, user_agent: str | None, allow_local: bool = False, **extra):
    from flows.http import FetchPolicy

    settings = {"concurrency": concurrency, "per_host": per_host, "delay_s": delay, "allow_loopback": allow_local, **extra}
    if user_agent:
        settings["user_agent"] = user_agent
    return FetchPolicy(**settings)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsflow")
def main() -> None:
    """newsflow: news feeds into a DuckDB warehouse of clean articles, the people,
    organizations and places they name, and the agreements they report.

    \b
    Quick start:
      newsflow demo                      ingest the bundled sample site
      newsflow sql "select title from articles"
      newsflow sql "select type, parties_text from agreement_view"
      newsflow search "memorandum"
    """
    quiet_prefect()


def _print_summary(summary) -> None:
    for line in summary.lines():
        click.echo(line)


@main.command()
@db_option
@click.option("--feeds", "feeds_file", default=DEFAULT_FEEDS, show_default=True, envvar="NEWSFLOW_FEEDS",
              help="Feeds file (TOML) [env NEWSFLOW_FEEDS].")
@click.option("--feed", "only", multiple=True, help="Only this feed (by name); repeatable.")
@click.option("--refresh", is_flag=True, help="Re-fetch known articles too (conditional GET) to pick up changed pages.")
@politeness
def ingest(db, feeds_file, only, refresh, **polite):
    """Poll the feeds, fetch new articles and load them into the warehouse."""
    from flows.config import load_feeds
    from flows.ingest import ingest as ingest_flow

    try:
        load_feeds(feeds_file)
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    _print_summary(asyncio.run(ingest_flow(db=db, feeds_file=feeds_file, only=list(only) or None, refresh=refresh, policy=make_policy(**polite))))


@main.command()
@db_option
def demo(db):
    """Serve the bundled sample site on 127.0.0.1 and ingest it.

    The sample's URLs use the host name sample.newsflow.test, mapped to the
    local server's port, so a second run finds the same articles.
    """
    from flows.ingest import ingest as ingest_flow
    from flows.static_server import StaticServer

    with StaticServer(SAMPLE_DIR / "site") as server:
        click.echo(f"serving the sample site on http://{server.address}/ as http://sample.newsflow.test/")
        policy = make_policy(8, 4, 0.0, None, allow_local=True, hosts={"sample.newsflow.test": server.address})
        summary = asyncio.run(ingest_flow(db=db, feeds_file=str(SAMPLE_DIR / "feeds.toml"), policy=policy))
    _print_summary(summary)
    click.echo(f'\nquery it: newsflow sql "select title, published_at from articles" --db {db}')


@main.command()
@db_option
@click.option("--feeds", "feeds_file", default=DEFAULT_FEEDS, show_default=True, envvar="NEWSFLOW_FEEDS",
              help="Feeds file (TOML) [env NEWSFLOW_FEEDS].")
@politeness
def serve(db, feeds_file, **polite):
    """Run ingest on each feed's cron schedule with Prefect's scheduler.

    Without PREFECT_API_URL a local Prefect server is started on 127.0.0.1 (and
    stopped on exit); its UI shows the runs.
    """
    from flows.config import load_feeds
    from flows.scheduler import serve_feeds

    try:
        feeds = load_feeds(feeds_file).feeds
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    serve_feeds(db, feeds_file, feeds, make_policy(**polite))


@main.command()
@db_option
def reprocess(db):
    """Re-run the extractors on stored raw pages, without fetching anything."""
    from flows.ingest import reprocess as reprocess_flow

    _print_summary(asyncio.run(reprocess_flow(db=db)))


@main.command()
@db_option
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@snapshot_option
def sql(db, query, fmt, snapshot):
    """Run QUERY on a read-only connection and print the result."""
    import duckdb

    from warehouse.db import query as run_query

    try:
        columns, rows = run_query(_readable(db, snapshot), query)
    except (duckdb.Error, FileNotFoundError) as e:
        raise click.ClickException(str(e)) from None
    if fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(columns)
        w.writerows(rows)
    elif fmt == "json":
        click.echo(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], default=_json_default, ensure_ascii=False, indent=2))
    else:
        click.echo(_table(columns, rows))


@main.command()
@db_option
@click.argument("query")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Matches to print.")
@snapshot_option
def search(db, query, limit, snapshot):
    """Full-text search over article titles and bodies; prints the best matches with a snippet.

    Words are matched case-insensitively, plurals folded; articles matching more
    of the words rank first, then by BM25. From SQL: `FROM search_articles('...')`.
    """
    import duckdb

    from warehouse.db import connect
    from warehouse.search import search as run_search

    try:
        with connect(_readable(db, snapshot), read_only=True) as con:
            hits = run_search(con, query, limit)
    except (duckdb.Error, FileNotFoundError) as e:
        raise click.ClickException(str(e)) from None
    if not hits:
        raise click.ClickException(f"nothing matches {query!r}")
    for i, h in enumerate(hits, 1):
        date = h.published_at.strftime("%Y-%m-%d") if h.published_at else "undated"
        click.echo(f"{i}. {h.title or '(no title)'}  [{date}]  score {h.score:.2f}\n   {h.url}\n   {h.snippet}\n")


@main.command()
@db_option
@click.argument("out_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "jsonl"]), default="parquet", show_default=True)
@snapshot_option
def export(db, out_dir, fmt, snapshot):
    """Write every table and view to DIR, one file each; Parquet articles are partitioned by month."""
    import duckdb

    from warehouse.db import connect
    from warehouse.export import export as run_export

    try:
        with connect(_readable(db, snapshot), read_only=True) as con:
            written = run_export(con, out_dir, fmt)
    except (duckdb.Error, FileNotFoundError) as e:
        raise click.ClickException(str(e)) from None
    for name, rows in written.items():
        click.echo(f"{rows:>10}  {name}")
    click.echo(f"wrote {len(written)} tables and views to {out_dir}")


@main.command()
@db_option
@click.option("--to", "target", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write it [default: beside --db, *.snapshot.duckdb].")
def snapshot(db, target):
    """Publish a read-only copy of the warehouse that analysts can open while flows write.

    Ingest and reprocess publish one after each run. The copy is replaced by an
    atomic rename, so readers never see half a file and never wait for a lock.
    """
    import duckdb

    from warehouse.snapshot import publish

    try:
        path = publish(db, target)
    except duckdb.Error as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"published {path}\nopen it with: duckdb -readonly {path}   or: newsflow sql --snapshot --db {db} \"...\"")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", default=None, help="The page's URL (for relative links and dates in the URL).")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl"]), default="json", show_default=True)
def extract(paths, url, fmt):
    """Parse saved pages (HTML) or text files, without a database, and print what was found."""
    from flows.extract import extract_file

    for path in paths:
        record = extract_file(path, url=url)
        click.echo(json.dumps(record, ensure_ascii=False, indent=None if fmt == "jsonl" else 2, default=_json_default))


@main.group()
def entities():
    """Review how entities were resolved across articles: show, merge, split."""


def _judge(db: str, action) -> None:
    import getpass

    from warehouse.db import connect, transaction
    from warehouse.judgements import JudgementError

    try:
        with connect(db) as con, transaction(con):
            action(con, getpass.getuser())
    except JudgementError as e:
        raise click.ClickException(str(e)) from None


@entities.command("show")
@db_option
@click.argument("term")
def entities_show(db, term):
    """Entities whose id, name or alias matches TERM, with aliases, merges and judgements."""
    from warehouse.db import connect
    from warehouse.judgements import show

    with connect(db, read_only=True) as con:
        found = show(con, term)
    if not found:
        raise click.ClickException(f"no entity matches {term!r}")
    for e in found:
        merged = f" -> merged into {e['merged_into']}" if e["merged_into"] else ""
        click.echo(f"[{e['entity_id']}] {e['name']} ({e['kind']}){merged}, in {e['articles']} article(s)")
        for label in ("aliases", "merged_here", "judgements"):
            if e[label]:
                click.echo(f"    {label.replace('_', ' ')}: " + "; ".join(map(str, e[label])))


@entities.command("merge")
@db_option
@click.argument("entity_id", type=int)
@click.argument("into", type=int)
@click.option("--reason", required=True, help="Why they are the same; kept with the decision.")
def entities_merge(db, entity_id, into, reason):
    """Record that ENTITY_ID is the same as INTO (reversible with `split`)."""
    from warehouse.judgements import merge

    _judge(db, lambda con, who: merge(con, entity_id, into, reason, who))
    click.echo(f"merged {entity_id} into {into}")


@entities.command("split")
@db_option
@click.argument("entity_id", type=int)
@click.option("--reason", required=True, help="Why they are not the same; kept with the decision.")
def entities_split(db, entity_id, reason):
    """Undo the merge of ENTITY_ID: it stands alone again, with its own mentions."""
    from warehouse.judgements import split

    _judge(db, lambda con, who: click.echo(f"split {entity_id} from {split(con, entity_id, reason, who)}"))


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _table(columns: list[str], rows: list[tuple], width: int = 60) -> str:
    def cell(v) -> str:
        s = "" if v is None else str(v).replace("\n", " ")
        return s if len(s) <= width else s[: width - 1] + "…"

    cells = [[cell(v) for v in r] for r in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda vals: "  ".join(v.ljust(w) for v, w in zip(vals, widths, strict=True)).rstrip()  # noqa: E731
    out = [line(columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)

if __name__ == "__main__":
    main()
