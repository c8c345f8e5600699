"""Company commands (issue 14): establish the seller's settings, amend them, change the logo.

Identifiers go through `adapters.identifiers` (python-stdnum check digits) before they
reach the domain, which stores the compact forms it is given. A logo's bytes go to the
content-addressed blob store before the event that names their hash is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from uuid import UUID

from adapters import identifiers as ids
from adapters.blobs import BlobStore
from application.commands import CommandResult, CommandRunner, Outcome
from application.journal import CommandContext
from domain.company import COMPANY_ID, Company
from domain.company_details import CompanyDetails, LogoRef, logo_of
from domain.errors import CompanyAlreadyEstablished, CompanyNotEstablished, NotFound

DEFAULT_BLOB_DIR = Path("var/blobs")


@dataclass(frozen=True)
class SetCompanyDetails:
    """The seller's details as typed (identifiers in any spacing), from `effective_on`."""

    details: CompanyDetails
    effective_on: date


def compacted(details: CompanyDetails) -> CompanyDetails:
    """The details with every identifier checked and in compact form."""
    return replace(
        details,
        siren=ids.siren(details.siren),
        siret=ids.optional(ids.siret, details.siret, "siret"),
        vat_number=ids.optional(ids.vat_number, details.vat_number, "vat_number"),
        iban=ids.optional(ids.iban, details.iban, "iban"),
        bic=ids.optional(ids.bic, details.bic, "bic"),
    )


class CompanyCommands:
    """Use cases of the Company aggregate (one per store)."""

    def __init__(self, runner: CommandRunner, blob_dir: str | Path | None = None) -> None:
        self.runner = runner
        self.blobs = BlobStore(Path(blob_dir) if blob_dir else DEFAULT_BLOB_DIR)

    def get(self, company_id: UUID = COMPANY_ID, version: int | None = None) -> Company:
        """The company's settings now, or as they stood at `version`."""
        company = self._load(None)
        if version is None or version == company.version:
            return company
        return self.runner.load_version(Company, company_id, version)

    def exists(self) -> bool:
        try:
            self._load(None)
        except CompanyNotEstablished:
            return False
        return True

    def establish(self, ctx: CommandContext, command: SetCompanyDetails) -> CommandResult:
        """The first settings; refused once they exist (they are amended then)."""
        details = compacted(command.details)

        def build() -> Outcome:
            if self.exists():
                raise CompanyAlreadyEstablished("the company is established: amend it")
            company = Company.establish(ctx.at, details, command.effective_on)
            return Outcome([company])

        return self.runner.run(ctx, "company.establish", _payload(command), build)

    def amend(self, ctx: CommandContext, command: SetCompanyDetails) -> CommandResult:
        """New settings from the date given; the command's reason is the amendment's."""
        details = compacted(command.details)

        def build() -> Outcome:
            company = self._load(ctx)
            changed = details.changes_from(company.details)
            company.amend(ctx.at, details, ctx.reason or "", command.effective_on)
            return Outcome([company], {"changed": list(changed)})

        return self.runner.run(ctx, "company.amend", _payload(command), build)

    def change_logo(self, ctx: CommandContext, data: bytes, media_type: str) -> CommandResult:
        """Store the image's bytes by their hash, then record the new logo's reference."""
        logo = logo_of(data, media_type)

        def build() -> Outcome:
            company = self._load(ctx)
            self.blobs.put(data)
            company.change_logo(ctx.at, logo)
            return Outcome([company], {"sha256": logo.sha256})

        return self.runner.run(ctx, "company.change_logo", {"logo": logo}, build)

    def logo(self) -> tuple[LogoRef, bytes]:
        """The current logo's reference and its bytes, checked against the hash."""
        company = self._load(None)
        if company.logo is None:
            raise NotFound("the company has no logo")
        return company.logo, self.blobs.get(company.logo.sha256)

    def _load(self, ctx: CommandContext | None) -> Company:
        try:
            return self.runner.load(Company, COMPANY_ID, ctx)
        except NotFound:
            raise CompanyNotEstablished("the company's settings are not established yet") from None


def _payload(command: SetCompanyDetails) -> dict[str, object]:
    return {"details": command.details, "effective_on": command.effective_on}
