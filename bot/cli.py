"""`kaderbot` command line. Exit codes: 0 ok, 2 bad arguments or config, 1 other failure."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError

import storage
from bot import app, console
from bot.config import Config, ConfigError, load_config
from bot.sole import DatabaseInUseError
from handlers import export, recap, texts, upstream
from handlers.forms import FORMS, FieldKind, photo_ids
from handlers.messages import Reply
from handlers.periods import MonthRange
from storage import ROLES, Database, OutboxKind, RecapPayload, migrate, photo_data, photo_types

log = logging.getLogger("kaderbot")

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
INVITE_VALID_DAYS = storage.INVITE_VALID_DAYS  # codes made in the chat (/undang) too
INVITE_MAX_DAYS = 365  # a code that outlives a year is a leaked code
INVITE_MAX_COUNT = 1000  # codes one command prints: a district at most, not a typo's worth


_LIBRARY_ERROR_NAME = re.compile(r"^(?:[\w.]+(?:Error|Timeout|Exception): )+")


class UsageError(Exception):
    """Arguments that do not fit together; exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kaderbot", description="KaderBot, the Kampung KB bot")
    parser.add_argument("--config", type=Path, default=Path("config.toml"), help="config file")
    parser.add_argument("--debug", action="store_true", help="verbose logs with tracebacks")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("run", help="serve Telegram and WhatsApp, the schedule and the outbox")

    chat = commands.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--user", required=True, help="a name for yourself, e.g. budi")
    chat.add_argument(
        "--files",
        type=Path,
        default=Path(),
        help="folder for the files the bot sends (recap chart, spreadsheet); default here",
    )

    invite = commands.add_parser("invite", help="print single-use invite codes")
    invite.add_argument("--role", required=True, choices=ROLES)
    invite.add_argument("--kampung", help="kampung slug (kader, ketua; or a plkb's district)")
    invite.add_argument("--unit", help="unit slug (required for kader)")
    invite.add_argument("--kecamatan", help="kecamatan name (plkb)")
    invite.add_argument(
        "--count", type=int, default=1, help=f"how many codes, 1-{INVITE_MAX_COUNT} (default 1)"
    )
    invite.add_argument(
        "--days",
        type=int,
        default=INVITE_VALID_DAYS,
        help=f"valid for days, 1-{INVITE_MAX_DAYS} (default {INVITE_VALID_DAYS})",
    )

    exporter = commands.add_parser("export", help="export reports: CSV, XLSX, or --layout")
    period = exporter.add_mutually_exclusive_group(required=True)
    period.add_argument("--month", help="YYYY-MM")
    period.add_argument("--year", help="YYYY: every month of that year")
    exporter.add_argument("--kampung", help="only this kampung (slug)")
    exporter.add_argument("--format", choices=("csv", "xlsx"), help="csv (default) or xlsx")
    exporter.add_argument("--out", type=Path, help="output file (default: CSV to stdout)")
    exporter.add_argument("--all-revisions", action="store_true", help="every revision")
    exporter.add_argument(
        "--layout",
        help=f"{'|'.join(upstream.LAYOUTS)}: the month in a layout that goes upstream "
        "(Kampung KB portal, R/I registers, SKDN F2), print-ready XLSX; needs --month, --out",
    )

    recapper = commands.add_parser("recap", help="print a month's recap; --send queues it")
    recapper.add_argument("--month", required=True, help="YYYY-MM")
    recapper.add_argument("--kampung", help="only this kampung (slug)")
    recapper.add_argument("--send", action="store_true", help="queue it to the ketua")
    recapper.add_argument(
        "--out", type=Path, help="write text, chart (PNG) and spreadsheet (XLSX) into this folder"
    )

    backup = commands.add_parser("backup", help="copy the SQLite database while it runs")
    backup.add_argument("--out", type=Path, required=True, help="the backup file")

    member = commands.add_parser("member", help="list members, or erase one's personal data")
    member.add_argument("action", choices=("list", "remove"))
    member.add_argument("--id", type=int, help="member id (from `member list`), for remove")
    member.add_argument("--kampung", help="only this kampung (slug), for list")

    database = commands.add_parser("db", help="database maintenance")
    database.add_argument("action", choices=("upgrade",), help="upgrade: apply migrations")

    # The subcommands accept --config after their name too ("kaderbot run --config x").
    for sub in commands.choices.values():
        sub.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="config file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.debug:
        # alembic.runtime.plugins says "setup plugin ..." seven times on every start.
        for noisy in ("httpx", "telegram", "apscheduler", "alembic.runtime.plugins"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    config: Config | None = None
    try:
        config = load_config(args.config)
        return asyncio.run(_dispatch(args, config))
    except (ConfigError, UsageError) as error:
        print(f"kaderbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_OK
    except (migrate.SchemaOutOfDateError, DatabaseInUseError) as error:
        print(f"kaderbot: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except InvalidToken:  # `run` only: Telegram does not know the token (401 or 404)
        assert config is not None
        env = config.telegram.token_env
        print(
            f"kaderbot: telegram.token_env: Telegram refused the token in {env}; "
            "copy it again from @BotFather (/mybots, API Token)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except NetworkError as error:  # `run` only: no answer from the Bot API at start
        assert config is not None
        log.debug("Telegram unreachable", exc_info=True)
        reason = _LIBRARY_ERROR_NAME.sub("", error.message)  # "httpx.ConnectError: ..."
        print(
            f"kaderbot: cannot reach Telegram at {config.telegram.api_base_url} ({reason}); "
            "check the network, or telegram.api_base_url (--debug shows details)",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    except DBAPIError as error:
        assert config is not None  # the database is opened only once the config is read
        url = config.database_url
        log.debug("database failure", exc_info=True)
        message = storage.describe_failure(error, url)
        hint = "" if storage.is_disk_full(error, url) else " (--debug shows details)"
        print(f"kaderbot: {message}{hint}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as error:
        log.debug("failure", exc_info=True)
        print(f"kaderbot: {type(error).__name__}: {error} (--debug shows details)", file=sys.stderr)
        return EXIT_FAILURE


async def _dispatch(args: argparse.Namespace, config: Config) -> int:
    if args.command == "run":
        if config.telegram.token and not os.environ.get(config.telegram.token_env):
            log.warning(
                "using [telegram] token from the config file: fine for local testing; "
                "deployments set %s instead",
                config.telegram.token_env,
            )
        await app.run(config)
        return EXIT_OK
    if args.command == "chat":
        if not args.debug:  # the conversation, not the logs, on the terminal
            logging.getLogger().setLevel(logging.WARNING)
        async with app.open_runtime(config) as runtime:
            await console.chat(runtime.service, args.user, files=args.files)
        return EXIT_OK
    if args.command == "db":
        database = Database(config.database_url)
        try:
            before = await migrate.current(database.engine)
            await migrate.upgrade(database.engine)
        finally:
            await database.dispose()
        print(f"database schema: {before or 'empty'} -> {migrate.HEAD}", file=sys.stderr)
        return EXIT_OK
    if args.command == "invite":
        return await _invite(args, config)
    if args.command == "recap":
        return await _recap(args, config)
    if args.command == "backup":
        return await _backup(args, config)
    if args.command == "member":
        return await _member(args, config)
    return await _export(args, config)


async def _invite(args: argparse.Namespace, config: Config) -> int:
    _check_between("--count", args.count, 1, INVITE_MAX_COUNT)
    _check_between("--days", args.days, 1, INVITE_MAX_DAYS)
    if args.role in ("kader", "ketua") and not args.kampung:
        raise UsageError(f"--kampung is required for --role {args.role}")
    if args.role == "kader" and not args.unit:
        raise UsageError("--unit is required for --role kader (a kader reports for a unit)")
    if args.role == "plkb" and not (args.kecamatan or args.kampung):
        raise UsageError("--kecamatan (or --kampung of the district) is required for plkb")
    if args.role != "kader" and args.unit:
        raise UsageError("--unit goes with --role kader only")
    username = await _bot_username(config)
    async with (
        app.open_runtime(config) as runtime,
        runtime.database.write() as session,
    ):
        try:
            codes = await storage.create_invites(
                session,
                role=args.role,
                kampung_slug=args.kampung,
                unit_slug=args.unit,
                kecamatan=args.kecamatan,
                count=args.count,
                now=storage.utc_now(),
                valid_for=timedelta(days=args.days),
            )
        except storage.NotFoundError as error:
            raise UsageError(str(error)) from None
    for code in codes:
        link = f"https://t.me/{username}?start={code}" if username else ""
        print(f"{code}  {link}".rstrip())
    if not username:
        print(
            "kaderbot: set [telegram] bot_username in the config (or the token) to print "
            "the t.me links; kader can also send /start CODE to the bot",
            file=sys.stderr,
        )
    return EXIT_OK


async def _bot_username(config: Config) -> str | None:
    if config.telegram.bot_username:
        return config.telegram.bot_username.lstrip("@")
    try:
        token = config.telegram_token()
    except ConfigError:
        return None
    api = config.telegram.api_base_url
    try:
        async with Bot(token, base_url=f"{api}/bot{{token}}") as bot:
            return bot.username
    except (TelegramError, OSError) as error:
        log.warning("could not ask Telegram for the bot's username: %s", error)
        return None


def _check_between(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise UsageError(f"{name} must be between {low} and {high}, got {value}")


def _check_month(month: str) -> None:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise UsageError(f"--month must be YYYY-MM, got {month!r}")


async def _months_held(session: AsyncSession) -> MonthRange:
    """The months a recap or export may ask for: up to this month in the Kampung KB whose
    month turns first (the one furthest east)."""
    now = datetime.now(UTC)
    zones = {k.timezone for k in await storage.kampung_views(session)}
    today = max((now.astimezone(ZoneInfo(zone)).date() for zone in zones), default=now.date())
    return await recap.held(session, today)


def _check_month_held(month: str, months: MonthRange) -> None:
    if month not in months:
        raise UsageError(
            f"--month: {month} is outside the months the bot holds "
            f"({months.first} to {months.last})"
        )


async def _recap(args: argparse.Namespace, config: Config) -> int:
    _check_month(args.month)
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out: {args.out} is a file; give a folder for the files, e.g. rekap/")
    deadline = config.schedule.report_deadline_day
    async with app.open_runtime(config) as runtime:
        async with runtime.database.read() as session:
            _check_month_held(args.month, await _months_held(session))
            kampungs = await storage.kampung_views(session, slug=args.kampung)
            if not kampungs:
                raise UsageError(f"--kampung: no kampung with slug {args.kampung!r}")
            built = [await recap.kampung_recap(session, k, args.month, deadline) for k in kampungs]
        if args.out is None:
            print("\n\n".join(recap.recap_text(b) for b in built))
        else:
            for one in built:
                name = texts.TEXT_FILE.format(slug=one.kampung.slug, period=one.period)
                reply = await recap.kampung_reply(one)
                for path in _write_recap(reply, name, args.out):
                    print(path)
        if not args.send:
            return EXIT_OK
        async with runtime.database.write() as session:
            chairs = await storage.recipients(
                session, role="ketua", kampung_ids=[k.id for k in kampungs]
            )
            queued = 0
            for chair in chairs:
                assert chair.kampung_id is not None  # a ketua belongs to a Kampung KB
                payload = RecapPayload(kampung_id=chair.kampung_id, period=args.month)
                queued += await storage.enqueue(
                    session,
                    kind=OutboxKind.RECAP_REQUEST,
                    member_id=chair.id,
                    period=args.month,
                    payload=payload,
                    now=storage.utc_now(),
                )
    print(
        f"queued for {queued} of {len(chairs)} ketua (a ketua already sent this month's "
        "requested recap is skipped); the running bot sends it",
        file=sys.stderr,
    )
    return EXIT_OK


def _write_recap(reply: Reply, text_name: str, directory: Path) -> list[Path]:
    """A recap as the chat sends it, as files: text, chart and spreadsheet."""
    directory.mkdir(parents=True, exist_ok=True)
    text = directory.resolve() / text_name
    text.write_text(reply.text + "\n", encoding="utf-8")
    return [text, *console.write_files(reply, directory)]


_PHOTO_FIELDS = {
    f.key for spec in FORMS.values() for f in spec.fields if f.kind is FieldKind.PHOTOS
}


async def _export(args: argparse.Namespace, config: Config) -> int:
    if args.layout is not None:
        return await _export_layout(args, config)
    args.format = args.format or "csv"
    if args.year is not None:
        if not re.fullmatch(r"\d{4}", args.year):
            raise UsageError(f"--year must be YYYY, got {args.year!r}")
        months = [f"{args.year}-{month:02d}" for month in range(1, 13)]
    else:
        _check_month(args.month)
        months = [args.month]
    if args.format == "xlsx" and args.out is None:
        raise UsageError("--format xlsx needs --out FILE")
    if args.out is not None:
        _check_export_target(args.out)
    async with app.open_runtime(config) as runtime, runtime.database.read() as session:
        held = await _months_held(session)
        if args.year is not None and int(args.year) not in held.years:
            raise UsageError(
                f"--year: {args.year} is outside the years the bot holds "
                f"({held.years[0]} to {held.years[-1]})"
            )
        if args.month is not None:
            _check_month_held(args.month, held)
        if args.kampung and not await storage.kampung_exists(session, args.kampung):
            raise UsageError(f"--kampung: no kampung with slug {args.kampung!r}")
        rows = [
            row
            for month in months
            for row in await storage.export_rows(
                session, period=month, kampung_slug=args.kampung, all_revisions=args.all_revisions
            )
        ]
        ids = [i for row in rows if row.field in _PHOTO_FIELDS for i in photo_ids(row.value)]
        rows, files = export.photo_files(rows, await photo_types(session, ids))
        if args.out is not None and files:
            # Beside FILE, in FILE's stem + "-foto"; the rows name the files. Photos of an
            # earlier export there go first: a name may now stand for another photo.
            folder = _photo_folder(args.out)
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob("*"):
                if old.is_file() and old.suffix in _PHOTO_SUFFIXES:
                    old.unlink()
            for photo_id, name in files.items():
                (folder / name).write_bytes(await photo_data(session, photo_id))
            print(f"{len(files)} photos written to {folder}", file=sys.stderr)
        elif files:
            print(
                f"{len(files)} photos are named in the rows; give --out FILE to write them",
                file=sys.stderr,
            )
    if args.format == "xlsx":
        args.out.write_bytes(export.to_xlsx(rows))
    elif args.out is not None:
        args.out.write_text(export.to_csv(rows), encoding="utf-8")
    else:
        sys.stdout.write(export.to_csv(rows))
    if args.out is not None:
        print(f"{len(rows)} values written to {args.out}", file=sys.stderr)
    return EXIT_OK


_PHOTO_SUFFIXES = {".jpg", ".png", ".gif", ".webp"}


async def _export_layout(args: argparse.Namespace, config: Config) -> int:
    """`export --layout`: one XLSX with the layout's sheets for each Kampung KB asked."""
    if args.layout not in upstream.LAYOUTS:
        raise UsageError(
            f"--layout must be one of {', '.join(upstream.LAYOUTS)}, got {args.layout!r}"
        )
    if args.month is None:
        raise UsageError("--layout takes one --month YYYY-MM, not --year")
    _check_month(args.month)
    if args.format == "csv" or args.all_revisions:
        raise UsageError(
            "--layout writes XLSX of the latest revisions: leave out --format csv "
            "and --all-revisions"
        )
    if args.out is None:
        raise UsageError("--layout needs --out FILE.xlsx")
    if args.out.is_dir():
        raise UsageError(f"--out: {args.out} is a folder; give a file name, e.g. {args.out}/f.xlsx")
    deadline = config.schedule.report_deadline_day
    async with app.open_runtime(config) as runtime, runtime.database.read() as session:
        _check_month_held(args.month, await _months_held(session))
        kampungs = await storage.kampung_views(session, slug=args.kampung)
        if not kampungs:
            raise UsageError(f"--kampung: no kampung with slug {args.kampung!r}")
        months = await upstream.load_months(session, kampungs, args.month, deadline)
    try:
        args.out.write_bytes(upstream.layout_xlsx(args.layout, months))
    except OSError as error:  # a missing folder, no permission: the target is wrong
        raise UsageError(f"--out: cannot write {args.out}: {error.strerror}") from None
    print(
        f"{args.layout} of {args.month} for {len(kampungs)} Kampung KB written to {args.out}",
        file=sys.stderr,
    )
    return EXIT_OK


def _photo_folder(out: Path) -> Path:
    return out.parent / f"{out.stem}-foto"


def _check_export_target(out: Path) -> None:
    """Before anything is written: FILE must be a file to write, and its photo folder a
    folder (or not there yet)."""
    if out.is_dir():
        raise UsageError(f"--out: {out} is a folder; give a file name, e.g. {out}/laporan.xlsx")
    folder = _photo_folder(out)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out: the photos go to {folder}, which is a file; move it away")
    if not out.parent.is_dir():
        raise UsageError(f"--out: {out} cannot be written: the folder {out.parent} does not exist")


_SQLITE_HEADER = b"SQLite format 3\x00"


def _check_backup_target(out: Path, source: Path) -> None:
    """Before anything is written: a new file, or an earlier copy, in a folder that exists;
    never the database itself (SQLite would report a wrong target as the database's fault)."""
    if out.is_dir():
        raise UsageError(f"--out: {out} is a folder; give a file name, e.g. {out}/kaderbot.db")
    if out.exists() and out.resolve() == source.resolve():
        raise UsageError(f"--out: {out} is the database itself; give another file name")
    if not out.parent.is_dir():
        raise UsageError(f"--out: {out} cannot be written: the folder {out.parent} does not exist")
    if out.exists() and out.stat().st_size and not _starts_with(out, _SQLITE_HEADER):
        raise UsageError(f"--out: {out} is not a SQLite database; give a new file name")
    if not os.access(out if out.exists() else out.parent, os.W_OK):
        raise UsageError(f"--out: {out} cannot be written: permission denied")


def _starts_with(path: Path, header: bytes) -> bool:
    with path.open("rb") as file:
        return file.read(len(header)) == header


async def _backup(args: argparse.Namespace, config: Config) -> int:
    database = Database(config.database_url)
    try:
        source = database.sqlite_file
        if source is None:
            raise UsageError(
                "backup copies SQLite files; for PostgreSQL use its own tool, e.g.\n"
                f"    pg_dump --format=custom --file={args.out} "
                f"'{storage.location(config.database_url)}'"
            )
        _check_backup_target(args.out, source)
        try:
            pages = await database.backup(args.out)
        except FileNotFoundError:
            raise UsageError(f"database.url: {source} does not exist") from None
    finally:
        await database.dispose()
    print(f"backed up {source} to {args.out} ({pages} pages)", file=sys.stderr)
    return EXIT_OK


async def _member(args: argparse.Namespace, config: Config) -> int:
    if args.action == "remove" and args.id is None:
        raise UsageError("member remove needs --id (see `kaderbot member list`)")
    async with app.open_runtime(config) as runtime, runtime.database.write() as session:
        try:
            if args.action == "list":
                for found in await storage.list_members(session, args.kampung):
                    print(f"{found.id}\t{found.role}\t{found.channel}\t{found.name}")
                return EXIT_OK
            await storage.erase_member(session, args.id, storage.utc_now())
        except storage.NotFoundError as error:
            raise UsageError(str(error)) from None
    print(f"member {args.id} erased; the reports they made are kept", file=sys.stderr)
    return EXIT_OK
