"""CLI of the hand-off area: ``registry list|show|import``, ``deliver``, ``archive purge``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from pipeline.archive import DEFAULT_NAME
from pipeline.errors import DeliveryError

__all__ = ["register"]

RegistryOption = Annotated[str | None, typer.Option(
    "--registry", envvar="QUJAT_REGISTRY",
    help=f"Registry path or database URL (default: {DEFAULT_NAME} next to the output folder, "
         "or in the current folder).")]


def _open(location: str | None, folder: Path | None = None) -> Any:
    from pipeline.archive.registry import Registry, default_location   # SQLAlchemy only when used

    if location is None:
        location = str(default_location(folder) if folder is not None else Path.cwd() / DEFAULT_NAME)
    return Registry(location)


def _when(epoch: float | None) -> str:
    return "" if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))


def register(app: typer.Typer) -> None:
    """Add ``registry``, ``deliver`` and ``archive`` to the root app."""
    registry_app = typer.Typer(help="The document registry: numbers, statuses, deliveries.",
                               no_args_is_help=True)
    archive_app = typer.Typer(help="Archive retention.", no_args_is_help=True)
    app.add_typer(registry_app, name="registry")
    app.add_typer(archive_app, name="archive")

    @registry_app.command("list")
    def list_(status: Annotated[str | None, typer.Option(help="generated, signed, queued, "
                                                         "delivered, failed or dead")] = None,
              form: Annotated[str | None, typer.Option(help="Form id.")] = None,
              employee: Annotated[str | None, typer.Option(help="Employee id.")] = None,
              registry: RegistryOption = None,
              as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
        """List registered documents."""
        with _open(registry) as reg:
            rows = reg.list_documents(status=status, form=form, employee=employee)
        if as_json:
            _echo_json([{"number": r.reg_number, "date": r.reg_date, "id": r.id, "form": r.form,
                         "employee": r.employee, "lang": r.lang, "status": r.status,
                         "sha256": r.sha256, "path": str(r.file)} for r in rows])
            return
        for r in rows:
            typer.echo(f"{r.reg_number}  {r.reg_date}  {r.status:<9}  {r.form}  {r.lang}  "
                       f"{r.employee}  {r.path}")
        typer.echo(f"{len(rows)} document(s)")

    @registry_app.command("show")
    def show(ident: Annotated[str, typer.Argument(metavar="NUMBER|ID")],
             registry: RegistryOption = None,
             as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
        """Everything the registry knows about one document."""
        with _open(registry) as reg:
            detail = reg.find(ident)
        doc = detail.document
        if as_json:
            _echo_json({"document": doc.__dict__, "signatures": detail.signatures,
                        "history": detail.history, "deliveries": detail.deliveries,
                        "attempts": detail.attempts})
            return
        typer.echo(f"{doc.reg_number} of {doc.reg_date}  [{doc.status}]  id {doc.id}")
        typer.echo(f"  {doc.form} ({doc.lang}) for {doc.employee}: {doc.title}")
        typer.echo(f"  file {doc.file}  sha256 {doc.sha256}")
        for sig in detail.signatures:
            typer.echo(f"  signed by {sig['role']} {sig['name']} at {sig['signed_at']}")
        for item in detail.history:
            typer.echo(f"  {_when(item['at'])}  {item['status']:<9}  {item['detail']}")
        for out in detail.deliveries:
            typer.echo(f"  -> {out['destination']}: {out['status']} after {out['attempts']} "
                       f"attempt(s){'; ' + out['last_error'] if out['last_error'] else ''}")

    @registry_app.command("import")
    def import_(folder: Annotated[Path, typer.Argument(exists=True, file_okay=False)],
                registry: RegistryOption = None) -> None:
        """Register a generated folder (idempotent: known documents keep their number)."""
        with _open(registry, folder) as reg:
            records = reg.register_folder(folder)
            typer.echo(f"{len(records)} document(s) registered in {reg.redacted_url}")
        for r in records:
            typer.echo(f"  {r.reg_number}  {r.form}  {r.lang}  {r.employee}  [{r.status}]")

    @app.command("deliver")
    def deliver(folder: Annotated[Path, typer.Argument(exists=True, file_okay=False)],
                to: Annotated[str, typer.Option("--to", help="Destination URL: file://, webdav(s)://,"
                                                " smtp(s)://, s3://, http(s)://, esedo+http(s)://")],
                workers: Annotated[int, typer.Option(min=1, max=32)] = 1,
                registry: RegistryOption = None,
                unsigned: Annotated[bool, typer.Option(help="Also send unsigned documents.")] = False,
                retry_dead: Annotated[bool, typer.Option(help="Queue dead letters again.")] = False,
                ) -> None:
        """Register, queue and hand a generated folder to a document system, exactly once."""
        from pipeline.deliver.worker import deliver_folder

        with _open(registry, folder) as reg:
            summary = deliver_folder(folder, to, reg, workers=workers, unsigned=unsigned,
                                     retry_dead=retry_dead)
        stats = summary.stats
        typer.echo(f"{summary.destination}: {stats.delivered} delivered, {stats.already} already "
                   f"there, {stats.retried} retries, {len(summary.dead)} dead"
                   + (f", {summary.skipped_unsigned} unsigned skipped" if summary.skipped_unsigned
                      else ""))
        for number, reason in summary.dead:
            typer.echo(f"  dead {number}: {reason}", err=True)
        if summary.dead:
            raise DeliveryError(f"{len(summary.dead)} document(s) not delivered; fix the cause "
                                "and run again with --retry-dead")

    @archive_app.command("purge")
    def purge(older_than: Annotated[str, typer.Option(help="Keeping period: 3y, 36m or 1095d.")],
              apply: Annotated[bool, typer.Option("--apply", help="Delete (default: dry run).")] = False,
              registry: RegistryOption = None) -> None:
        """Delete delivered documents older than the keeping period (dry run by default)."""
        from pipeline.archive.retention import apply_purge, plan_purge

        with _open(registry) as reg:
            plan = plan_purge(reg, older_than)
            verb = "deleting" if apply else "would delete"
            for r in plan.due:
                typer.echo(f"  {verb} {r.reg_number} of {r.reg_date}  {r.file}")
            for r in plan.kept_undelivered:
                typer.echo(f"  keeping {r.reg_number} of {r.reg_date}: {r.status}, not delivered")
            done = apply_purge(reg, plan) if apply else 0
        typer.echo(f"cutoff {plan.cutoff}: {len(plan.due)} due, {len(plan.kept_undelivered)} kept"
                   + (f", {done} purged" if apply else " (dry run; add --apply to delete)"))
