"""The `newsflow` command line.

Settings come from flags, then `NEWSFLOW_*` variables, then the defaults, all in
`schemas.settings`. Every command validates what it is given first and stops with one
line naming the problem and the fix: anything in the `NewsflowError` family is printed
that way and nothing else is caught. Only `ingest`, `serve` and `demo` create a warehouse.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import shutil
import signal
import sys
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path

import click

from flows import interrupt, output, progress
from flows.config import SAMPLE_DIR, quiet_prefect
from schemas.errors import ConfigError, FetchError, NewsflowError, WarehouseError
from schemas.settings import DEFAULTS, Settings, env_name

DUCKDB_INTERRUPTED = "Query interrupted"  # what DuckDB raises (a RuntimeError) when Ctrl-C lands inside one of its queries


class _Main(click.Group):
    """The command group: a `NewsflowError` ends the command with its one-line message (exit 2 for bad settings, else 1);
    a closed stdout (a pipe to `head`) ends it quietly with exit 0; Ctrl-C outside a flow run (waiting for the
    warehouse, reading it) ends it with one line and by the signal, exit status 130, as a run stopped by it does."""

    def invoke(self, ctx: click.Context):
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # inside the try: a reader that has gone away is found here, not at exit
            return result
        except BrokenPipeError:  # `newsflow sql ... | head`: the reader has what it wanted; end quietly, like Unix tools
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes at exit
            ctx.exit(0)
        except KeyboardInterrupt as e:  # a run in progress takes Ctrl-C itself (flows.interrupt): this is any other wait
            from warehouse.db import StoppedWaiting

            click.echo(str(e) if isinstance(e, StoppedWaiting) else "stopped (Ctrl-C)", err=True)
            interrupt.leave(signal.SIGINT)
        except RuntimeError as e:
            if str(e) != DUCKDB_INTERRUPTED:
                raise
            click.echo("stopped (Ctrl-C)", err=True)
            interrupt.leave(signal.SIGINT)
        except NewsflowError as e:
            error = click.ClickException(str(e))
            error.exit_code = 2 if isinstance(e, ConfigError) else 1
            raise error from None


def _env(field: str, what: str) -> str:
    return f"{what} [default: {getattr(DEFAULTS, field)}; env {env_name(field)}]"


db_option = click.option("--db", default=None, help=_env("db", "DuckDB warehouse file."))
feeds_option = click.option("--feeds", "feeds", default=None, help=_env("feeds", "Feeds file (TOML)."))
snapshot_option = click.option(
    "--snapshot", is_flag=True, help="Read the published snapshot (*.snapshot.duckdb beside --db), which no flow ever locks."
)


def politeness(f):
    """The fetch settings shared by `ingest` and `serve`."""
    options = [
        click.option("--concurrency", type=int, default=None, help=_env("concurrency", "Requests in flight overall.")),
        click.option("--per-host", type=int, default=None, help=_env("per_host", "Requests in flight per host.")),
        click.option("--delay", type=float, default=None, help=_env("delay", "Seconds between request starts to one host.")),
        click.option("--user-agent", default=None, help=_env("user_agent", "User-Agent header.")),
        click.option("--allow-local", is_flag=True, default=None,
                     help=_env("allow_local", "Also fetch from 127.0.0.1/localhost (your own test servers); private networks stay refused.")),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def on_cluster(f):
    """The cluster settings of the commands that parse and analyse in batches."""
    options = [
        click.option("--cluster", "dask_address", default=None, metavar="SPEC",
                     help=f"Parse and analyse the batches on a Dask cluster: tcp://HOST:PORT (a running scheduler), local or "
                          f"local:N (N worker processes here, for this run). [env {env_name('dask_address')}]"),
        click.option("--staging", default=None, metavar="LOCATION",
                     help=f"Where cluster batches are staged: a directory every worker sees at the same path, or an fsspec URL "
                          f"(s3://...). [default: NAME.staging beside NAME.duckdb; env {env_name('staging')}]"),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _cluster_ready(s: Settings) -> None:
    """Check the cluster spec and the staging location before any flow starts (one line each when bad)."""
    from flows.staging import Staging

    Staging(_staging(s))
    if s.dask_address.strip():
        from flows.cluster import check_reachable, parse_cluster

        spec = parse_cluster(s.dask_address)
        if spec is not None:
            check_reachable(spec)


def _staging(s: Settings) -> str:
    """Where this warehouse's cluster batches are staged: the setting, else NAME.staging beside it."""
    from flows.staging import beside

    return s.staging or beside(s.db)


def _flow(name: str, runner=None):
    """The flow `name` (ingest, reprocess: flows.ingest; analyze: flows.analyze), on `runner` (a Dask task
    runner) when given. Imported only once the run can start: Prefect takes seconds to import."""
    import flows.analyze
    import flows.ingest

    flow = getattr(flows.analyze if name == "analyze" else flows.ingest, name)
    return flow.with_options(task_runner=runner) if runner is not None else flow


@contextlib.contextmanager
def _cluster_runner(cluster: str) -> Iterator[object]:
    """The Dask task runner of `cluster` (a spec) for the block, or None for no cluster."""
    if not cluster.strip():
        yield None
        return
    from flows.cluster import cluster_runner  # Dask takes seconds to import: only for a cluster

    with cluster_runner(cluster, analysis=True) as runner:
        yield runner


def settings(**options) -> Settings:
    """The settings of this command: the environment's, with the flags given on the command line."""
    return click.get_current_context().find_root().obj.with_options(**options)


def make_policy(s: Settings, **extra):
    from flows.http import FetchPolicy

    return FetchPolicy(concurrency=s.concurrency, per_host=s.per_host, delay_s=s.delay, user_agent=s.user_agent,
                       allow_loopback=s.allow_local, **extra)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsflow")
@click.pass_context
def main(ctx: click.Context) -> None:
    """newsflow: news feeds into a DuckDB warehouse of clean articles, the people,
    organizations and places they name, and the agreements they report.

    \b
    Quick start:
      newsflow demo                      ingest the bundled sample site
      newsflow tables                    what the warehouse holds
      newsflow sql "select title from articles"
      newsflow sql "select type, parties_text from agreement_view"
      newsflow search "memorandum"
    """
    ctx.obj = Settings.from_env()
    quiet_prefect(ctx.obj)


def newsflow_command() -> str:
    """The words that run this newsflow from the user's shell as is, for the next commands a hint prints: "newsflow"
    when that name on PATH is this program; else the path it was started by (".venv/bin/newsflow" after `make
    demo`, whose venv is not on PATH); else, started as `python -m flows.cli`, this Python with -m flows.cli."""
    started = Path(sys.argv[0])
    on_path = shutil.which("newsflow")
    if started.name == "newsflow":
        if on_path and Path(on_path).resolve() == started.resolve():
            return "newsflow"
        return shlex.quote(str(started) if started.parent != Path() else f"./{started}")
    return f"{shlex.quote(sys.executable)} -m flows.cli"


def _print_summary(summary) -> None:
    for line in summary.lines():
        click.echo(line)


@contextlib.contextmanager
def prefect_api(ui: bool = False) -> Iterator[str | None]:
    """The Prefect API of this command's runs: the one Prefect is configured with (PREFECT_API_URL, in the
    environment or a profile), or else a server on 127.0.0.1 for the command's life (`flows.prefect_server`),
    whose URL is yielded. Call in the thread that runs the flows."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():
        yield None
        return
    from flows.prefect_server import local_server

    with contextlib.ExitStack() as stack:
        with progress.showing("starting a Prefect server on 127.0.0.1"):
            url = stack.enter_context(local_server(ui=ui, should_stop=interrupt.requested))
        stack.enter_context(temporary_settings({PREFECT_API_URL: url}))
        yield url


def run_flow(start: Callable[[object], Coroutine], cluster: str = ""):
    """Run the flow `start(runner)` returns (a coroutine) to its end and return its summary, or stop it cleanly on Ctrl-C or SIGTERM.

    `runner` is the Dask task runner of `cluster` (a spec, e.g. tcp://HOST:PORT or local:2), or None.

    The flow runs in a thread of its own (`flows.interrupt`): the first signal makes it abandon the batch it is
    fetching or parsing and finish its run record; then its parse workers and the Prefect server are stopped, one
    line says what was kept, and the process leaves by the signal (exit status 130 or 143). A second signal leaves at once.
    """
    from flows.parallel import stop_pool

    def work():
        with prefect_api(), _cluster_runner(cluster) as runner:
            return asyncio.run(start(runner))

    interrupt.reset()
    try:
        summary = interrupt.run(work, on_stop=stop_pool)
    except interrupt.Interrupted:  # before the run began (the Prefect server was starting)
        summary = None
    finally:
        stop_pool()
    if not interrupt.requested():
        return summary
    click.echo(summary.interrupted_line() if summary is not None else "interrupted before the run began: nothing loaded")
    interrupt.leave()


def _feeds_to_fetch(s: Settings, only: tuple[str, ...]):
    """The configured feeds to poll, after checking the file, the names asked for and every feed's address."""
    from flows.config import check_addresses, load_feeds

    feeds = load_feeds(s.feeds).select(list(only))
    check_addresses(feeds, allow_local=s.allow_local)
    return feeds


def _ready_to_write(db: str) -> None:
    """Open (and, the first time, create) the warehouse before any flow starts, so a bad --db fails in one line."""
    from warehouse.db import connect

    with connect(db):
        pass


@main.command()
@db_option
@feeds_option
@click.option("--feed", "only", multiple=True, help="Only this feed (by name); repeatable.")
@click.option("--refresh", is_flag=True, help="Re-fetch known articles too (conditional GET) to pick up changed pages.")
@click.option("--analysis", type=click.Choice(["now", "later"]), default="now", show_default=True,
              help="Analyse (entities, agreements) in this run, or leave it for `newsflow analyze`.")
@politeness
@on_cluster
def ingest(db, feeds, only, refresh, analysis, **options):
    """Poll the feeds, fetch new articles and load them into the warehouse (created if missing).

    Then analyse every article not yet analysed by this version of newsflow's extractors: its
    entities, roles, credits and agreements. With --analysis later the articles are stored without
    them, for `newsflow analyze` to do on its own schedule. With --cluster, this machine fetches
    (politeness holds for the whole run) and loads, and the cluster's workers parse and analyse
    (docs/operations.md, "Running on a cluster").
    """
    s = settings(db=db, feeds=feeds, **options)
    _feeds_to_fetch(s, only)
    _cluster_ready(s)
    _ready_to_write(s.db)

    staging = _staging(s)
    summary = run_flow(lambda runner: _flow("ingest", runner)(db=s.db, feeds_file=s.feeds, only=list(only) or None,
                                                             refresh=refresh, policy=make_policy(s), staging=staging,
                                                             analysis=analysis),
                       s.dask_address)
    _print_summary(summary)
    _upkeep_note(s.db)
    if summary.feeds_failed and not (summary.feeds_read or summary.feeds_not_modified):
        raise FetchError(
            f"no feed could be read ({summary.feeds_failed} failed); the reasons: "
            "newsflow sql \"select url, reason from rejects where stage = 'feed'\""
        )


@main.command()
@db_option
@click.option("--serve", "serve_only", is_flag=True,
              help="Only serve the sample site on 127.0.0.1 and print its feed URLs, until stopped (Ctrl-C); ingest nothing.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="With --serve: the port (0: any free one).")
def demo(db, serve_only, port):
    """Serve the bundled sample site on 127.0.0.1 and ingest it.

    The sample's URLs use the host name sample.newsflow.test, mapped to the
    local server's port, so a second run finds the same articles. With --serve,
    the site is served as http://127.0.0.1:PORT/ for `ingest`, `serve` or a
    notebook to use, until you stop it.
    """
    if serve_only:
        _serve_sample(port)
        return
    s = settings(db=db)
    _ready_to_write(s.db)
    from flows.static_server import StaticServer

    with StaticServer(SAMPLE_DIR / "site") as server:
        click.echo(f"serving the sample site on http://{server.address}/ as http://sample.newsflow.test/")
        policy = make_policy(s.with_options(concurrency=8, per_host=4, delay=0.0, allow_local=True),
                             hosts={"sample.newsflow.test": server.address})

        summary = run_flow(lambda _: _flow("ingest")(db=s.db, feeds_file=str(SAMPLE_DIR / "feeds.toml"), policy=policy))
    _print_summary(summary)
    from warehouse import maintenance

    maintenance.wait()  # the demo ends with its snapshot published: a tiny warehouse, a fraction of a second
    click.echo(f'\nquery it: {newsflow_command()} sql "select title, published_at from articles" --db {shlex.quote(s.db)}')


def _serve_sample(port: int) -> None:
    """Serve the sample until a signal, with a feeds file for it in a temporary folder.

    The folder is made and removed by the waiting thread of `interrupt.run`, whose handlers are in place
    first: a signal at any moment (SIGINT, SIGTERM, SIGHUP as a terminal closes) removes it.
    """
    import tempfile

    from flows.config import load_feeds
    from flows.static_server import SAMPLE_HOST, StaticServer

    try:
        server = StaticServer(SAMPLE_DIR / "site", port=port, public_host=SAMPLE_HOST)
    except OSError as e:
        raise ConfigError(f"cannot serve on 127.0.0.1:{port}: {e.strerror}; pass --port N (0 for any free port)") from None

    def until_stopped() -> None:
        with tempfile.TemporaryDirectory(prefix="newsflow-sample-") as tmp:
            feeds = [(f.name, server.local_url(f.url)) for f in load_feeds(SAMPLE_DIR / "feeds.toml").feeds]
            feeds_file = Path(tmp) / "feeds.toml"
            feeds_file.write_text("".join(f'[[feeds]]\nname = "{name}"\nurl = "{url}"\n\n' for name, url in feeds), encoding="utf-8")
            click.echo(f"serving the bundled sample on http://{server.address}/ until stopped (Ctrl-C); its feeds:")
            for _, url in feeds:
                click.echo(f"  {url}")
            click.echo(f"a feeds file for them, removed when this stops: {feeds_file}")
            click.echo(f"try: {newsflow_command()} ingest --allow-local --feeds {shlex.quote(str(feeds_file))} --db sample.duckdb")
            sys.stdout.flush()
            interrupt.wait()

    with server:
        interrupt.reset()
        interrupt.run(until_stopped, signals=(*interrupt.SIGNALS, signal.SIGHUP))
        click.echo("stopped")
    interrupt.leave()


@main.command()
@db_option
@feeds_option
@politeness
def serve(db, feeds, **polite):
    """Run ingest on each feed's cron schedule with Prefect's scheduler, until stopped.

    Without PREFECT_API_URL a local Prefect server is started on 127.0.0.1 (and
    stopped on exit); its UI shows the runs.
    """
    from flows.scheduler import serve_feeds

    s = settings(db=db, feeds=feeds, **polite)
    configured = _feeds_to_fetch(s, ())
    _ready_to_write(s.db)
    interrupt.reset()
    try:
        serve_feeds(s.db, s.feeds, configured, make_policy(s), lambda: prefect_api(ui=True))
    except interrupt.Interrupted:  # while the Prefect server was starting
        pass
    if interrupt.requested():
        click.echo("stopped: runs in progress were cancelled, their pages left for the next run; schedules paused")
        interrupt.leave()


@main.command()
@db_option
@on_cluster
def reprocess(db, **options):
    """Re-run the extractors on stored raw pages, without fetching anything (with --cluster: on its workers)."""
    from warehouse.db import require

    s = settings(db=db, **options)
    require(s.db)
    _cluster_ready(s)
    _ready_to_write(s.db)

    staging = _staging(s)
    _print_summary(run_flow(lambda runner: _flow("reprocess", runner)(db=s.db, staging=staging), s.dask_address))
    _upkeep_note(s.db)


def _upkeep_note(db: str) -> None:
    from warehouse.db import snapshot_path
    from warehouse.maintenance import log_path

    click.echo(f"the snapshot {snapshot_path(db)} is being published in the background (what it did: {log_path(db)}); "
               "`newsflow snapshot` publishes one and waits")


@main.command()
@db_option
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Analyse at most this many articles, oldest first [default: all].")
@on_cluster
def analyze(db, limit, **options):
    """Analyse the stored articles that await it: entities, roles, credits and agreements.

    An article awaits analysis when `ingest --analysis later` stored it, or when the articles
    were analysed by another version of newsflow's extractors. No network; run it as often as
    you like (nothing to do is done in seconds). With --cluster: on its workers.
    """
    from warehouse.db import require

    s = settings(db=db, **options)
    require(s.db)
    _cluster_ready(s)
    _ready_to_write(s.db)

    staging = _staging(s)
    _print_summary(run_flow(lambda runner: _flow("analyze", runner)(db=s.db, limit=limit, staging=staging), s.dask_address))
    _upkeep_note(s.db)


def _readable(db: str | None, snapshot: bool) -> str:
    """The file a read command opens: the warehouse, or its published snapshot."""
    from warehouse.db import require, snapshot_path

    db = settings(db=db).db
    if not snapshot:
        return str(require(db))
    path = snapshot_path(db)
    if not path.is_file():
        raise WarehouseError(f"no snapshot at {path}: run `newsflow snapshot --db {db}` (ingest publishes one after each run)")
    return str(path)


@main.command()
@db_option
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(list(output.FORMATS)), default="table", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Print at most this many rows.")
@snapshot_option
def sql(db, query, fmt, limit, snapshot):
    """Run QUERY on a read-only connection and print the rows as they come (table, csv, json or jsonl)."""
    from warehouse.db import connect, statement

    with connect(_readable(db, snapshot), read_only=True) as con:
        cur = statement(con, query)
        output.write(cur, fmt, limit, sys.stdout)


@main.command()
@db_option
@snapshot_option
def tables(db, snapshot):
    """Every table and view with its number of rows: what the warehouse holds."""
    from warehouse.catalog import counts
    from warehouse.db import connect

    with connect(_readable(db, snapshot), read_only=True) as con:
        found = counts(con)
    width = max(len(name) for name, _, _ in found)
    for name, kind, rows in found:
        click.echo(f"{name.ljust(width)}  {kind:<5}  {rows:>10,}")


@main.command()
@db_option
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Runs to show, newest first.")
@snapshot_option
def runs(db, limit, snapshot):
    """Recent ingest and reprocess runs with their summary, newest first."""
    from warehouse.catalog import recent_runs
    from warehouse.db import connect

    with connect(_readable(db, snapshot), read_only=True) as con:
        found = recent_runs(con, limit)
    if not found:
        click.echo("no runs yet: run `newsflow ingest`")
    for run in found:
        click.echo(output.run_line(run))


@main.command()
@db_option
@click.argument("query")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Matches to print.")
@snapshot_option
def search(db, query, limit, snapshot):
    """Full-text search over article titles and bodies; prints the best matches with a snippet.

    \b
    All words must match:      memorandum cooperation
    a phrase:                  "strategic cooperation"
    either word:               memorandum OR contract
    without a word:            agreement -oil
    a prefix:                  cooperat*
    Case, plural endings and common words (the, of, and) are ignored; Chinese and
    Japanese text matches by character pairs. From SQL: `FROM search_articles('...')`.
    """
    from warehouse.db import connect
    from warehouse.search import search as run_search

    with connect(_readable(db, snapshot), read_only=True) as con:
        hits = run_search(con, query, limit)
    if not hits:
        raise NewsflowError(f"nothing matches {query!r}")
    for i, h in enumerate(hits, 1):
        date = h.published_at.strftime("%Y-%m-%d") if h.published_at else "undated"
        click.echo(f"{i}. {h.title or '(no title)'}  [{date}]  score {h.score:.2f}\n   {h.url}\n   {h.snippet}\n")


@main.command()
@db_option
@click.argument("out_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "jsonl"]), default="parquet", show_default=True)
@click.option("--force", is_flag=True, help="Replace a previous export in DIR; files newsflow did not write are never touched.")
@click.option("--internal", is_flag=True, help="Also export internal tables (search index, schema versions).")
@snapshot_option
def export(db, out_dir, fmt, force, internal, snapshot):
    """Write the tables and views to DIR, one file each; Parquet articles are partitioned by month.

    DIR must be new or empty, unless --force replaces an earlier export there.
    """
    from warehouse.db import connect
    from warehouse.export import export as run_export

    with connect(_readable(db, snapshot), read_only=True) as con:
        written = run_export(con, out_dir, fmt, force=force, internal=internal)
    for name, rows in written.items():
        click.echo(f"{rows:>10}  {name}")
    click.echo(f"wrote {len(written)} tables and views to {out_dir}")


@main.command()
@db_option
@click.option("--to", "target", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write it [default: beside --db, *.snapshot.duckdb].")
@click.option("--snapshot-storage", default=None, metavar="VERSION",
              help=_env("snapshot_storage", "DuckDB storage version of the copy: v1.4.0 opens in DuckDB 1.4 and later; the "
                                            "warehouse's own, v2.0.0, is a copy of its bytes, for DuckDB 2.0 and later."))
def snapshot(db, target, snapshot_storage):
    """Publish a read-only copy of the warehouse that analysts can open while flows write.

    Ingest and reprocess publish one after each run. The copy is replaced by an
    atomic rename, so readers never see half a file and never wait for a lock. It
    is written in DuckDB 1.4's storage format, so DuckDB 1.4 and later open it: in
    full the first time, then by bringing up to date a copy kept beside it (its
    base, .NAME.base) with the rows that changed. Where every reader has
    DuckDB 2.0 or later, --snapshot-storage v2.0.0 (or NEWSFLOW_SNAPSHOT_STORAGE,
    which the upkeep after each run reads too) makes it a copy of the file's bytes.
    """
    from warehouse.snapshot import publish

    s = settings(db=db, snapshot_storage=snapshot_storage)
    if target is not None and not target.parent.is_dir():
        raise ConfigError(f"--to {target}: the folder {target.parent} does not exist; create it or give --to a path in an existing folder")
    path = publish(s.db, target, storage=s.snapshot_storage)
    click.echo(f"published {path}\nopen it with: duckdb -readonly {path}   or: newsflow sql --snapshot --db {s.db} \"...\"")


@main.command()
@db_option
@click.option("--if-free", type=click.FloatRange(0, 1), default=None,
              help="Only when at least this share of the file is free blocks, e.g. 0.5.")
def compact(db, if_free):
    """Rewrite the warehouse in full row groups, without deleted rows or free blocks.

    Each load leaves its rows in a small row group of its own, and rows it deleted in part of
    one stay marked: a compaction gave back about 40 % of a file that runs left as it is,
    though DuckDB counts little of that as free blocks, the only share `--if-free` and the
    upkeep after a run (60 % of a file of 64 MiB or more) see. Compact now and then, and
    before copying or archiving the file. Readers and flows wait only while the file is copied
    and while the new one is renamed over it; if a flow writes in between, nothing is replaced
    and this says so.
    """
    from warehouse.compact import compact as rewrite
    from warehouse.compact import space

    s = settings(db=db)
    use = space(s.db)
    if if_free is not None and use.free_share < if_free:
        click.echo(f"{s.db}: {use.free_share:.0%} of {use.file_bytes / 2**20:.1f} MiB free, under {if_free:.0%}: left as it is")
        return
    done = rewrite(s.db)
    if not done.replaced:
        raise WarehouseError(f"{s.db} changed while it was being compacted (a flow wrote to it); nothing was replaced: "
                             "run `newsflow compact` again")
    click.echo(f"compacted {s.db}: {done.before / 2**20:.1f} MiB -> {done.after / 2**20:.1f} MiB "
               f"({use.free_share:.0%} was free) in {done.seconds:.1f} s; readers and writers waited {done.seconds_held:.2f} s")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", default=None, help="The page's URL (for relative links and dates in the URL).")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl"]), default="json", show_default=True)
def extract(paths, url, fmt):
    """Parse saved pages (HTML) or text files, without a database, and print what was found.

    A file that is not an article (empty, binary, a feed) prints its record with an
    "error" and one line on stderr, and the command exits 1.
    """
    from flows.extract import extract_file

    unusable = []
    for path in paths:
        record = extract_file(path, url=url)
        click.echo(output.dumps(record, indent=None if fmt == "jsonl" else 2))
        if record.get("error"):
            unusable.append(f"{path}: {record['error']}")
    if unusable:
        raise NewsflowError("; ".join(unusable))


@main.group()
def entities():
    """Review how entities were resolved across articles: show, merge, split."""


def _judge(db: str | None, action) -> None:
    import getpass

    from warehouse.db import connect, transaction

    with connect(settings(db=db).db, create=False) as con, transaction(con):
        action(con, getpass.getuser())


@entities.command("show")
@db_option
@click.argument("term")
def entities_show(db, term):
    """Entities whose id, name or alias matches TERM, with aliases, merges and judgements."""
    from warehouse.db import connect
    from warehouse.judgements import show

    with connect(_readable(db, False), read_only=True) as con:
        found = show(con, term)
    if not found:
        raise NewsflowError(f"no entity matches {term!r}")
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


if __name__ == "__main__":
    main()
