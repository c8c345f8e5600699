"""A customer's asset (S1–S5): configuration history, warranties, service cases.

Service cases live inside the asset: intake → diagnosis → repair → returned (to the
customer), one step at a time. Whether a case is under warranty is decided when it
opens, from the warranties in force that day (the manufacturer's first, since it bears
the cost, then ours); otherwise the case is billable. A case goes back to the customer
only once every point of its checklist is checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, CanMutateAggregate, event

from domain.errors import (
    AssetUnderAnotherContract,
    ChecklistIncomplete,
    DuplicateChecklistPoint,
    InvalidInput,
    InvalidTransition,
    ServiceCaseAlreadyInvoiced,
    UnknownChecklistPoint,
    UnknownServiceCase,
)
from domain.invoice_lines import InvoiceLine
from domain.service_billing import (
    ServiceLabour,
    ServicePart,
    case_lines,
    checked_labour,
    checked_part,
)
from domain.warranty import Warranty, WarrantyKind, WarrantyStatus


class ServiceCaseStatus(StrEnum):
    INTAKE = "intake"
    DIAGNOSIS = "diagnosis"
    REPAIR = "repair"
    RETURNED = "returned"


# The only moves a service case makes; everything else is an `InvalidTransition`.
CASE_TRANSITIONS: dict[str, set[str]] = {
    ServiceCaseStatus.INTAKE: {ServiceCaseStatus.DIAGNOSIS},
    ServiceCaseStatus.DIAGNOSIS: {ServiceCaseStatus.REPAIR},
    ServiceCaseStatus.REPAIR: {ServiceCaseStatus.RETURNED},
    ServiceCaseStatus.RETURNED: set(),
}


@dataclass(frozen=True)
class ConfigurationChange:
    """One key's value before and after a change (None: absent)."""

    key: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class ConfigurationRevision:
    """A numbered configuration change (from 1), with its reason."""

    number: int
    at: datetime
    reason: str
    changes: list[ConfigurationChange]


@dataclass(frozen=True)
class ChecklistPoint:
    """A point to validate on a service case; who checked it and when."""

    point_id: str
    label: str
    checked_by: str | None = None
    checked_at: datetime | None = None

    @property
    def checked(self) -> bool:
        return self.checked_at is not None


@dataclass(frozen=True)
class ServiceCase:
    """An after-sales case on the asset."""

    case_id: UUID
    problem: str
    opened_at: datetime
    under_warranty: bool
    warranty_kind: WarrantyKind | None
    status: ServiceCaseStatus = ServiceCaseStatus.INTAKE
    diagnosis: str | None = None
    checklist: list[ChecklistPoint] = field(default_factory=list)
    returned_at: datetime | None = None
    labour: list[ServiceLabour] = field(default_factory=list)
    parts: list[ServicePart] = field(default_factory=list)
    invoice_id: UUID | None = None  # the invoice issued for it, once (issue 14)
    invoice_number: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", ServiceCaseStatus(self.status))
        if self.warranty_kind is not None:
            object.__setattr__(self, "warranty_kind", WarrantyKind(self.warranty_kind))

    @property
    def checklist_complete(self) -> bool:
        return all(point.checked for point in self.checklist)

    def point(self, point_id: str) -> ChecklistPoint | None:
        return next((p for p in self.checklist if p.point_id == point_id), None)


def _check_at(at: datetime) -> None:
    if at.tzinfo is None:
        raise InvalidInput("a command's time must be timezone-aware")


def _required(value: str, what: str) -> str:
    if not value.strip():
        raise InvalidInput(f"{what} must not be empty")
    return value


class Asset(Aggregate):
    """Equipment installed at a customer's site."""

    class Registered(Aggregate.Created):
        at: datetime
        customer_id: UUID
        product_ref: str
        description: str
        serial_number: str | None
        site: str
        configuration: dict[str, str]

    class ConfigurationChanged(Aggregate.Event):
        at: datetime
        number: int
        reason: str
        changes: list[ConfigurationChange]

    class WarrantySet(Aggregate.Event):
        at: datetime
        kind: WarrantyKind
        start: date
        end: date

    class ServiceCaseOpened(Aggregate.Event):
        at: datetime
        case_id: UUID
        problem: str
        under_warranty: bool
        warranty_kind: WarrantyKind | None

    class ServiceCaseDiagnosed(Aggregate.Event):
        at: datetime
        case_id: UUID
        diagnosis: str

    class ServiceCaseAdvanced(Aggregate.Event):
        at: datetime
        case_id: UUID
        to: ServiceCaseStatus

    class ChecklistPointAdded(Aggregate.Event):
        at: datetime
        case_id: UUID
        point_id: str
        label: str

    class ChecklistPointChecked(Aggregate.Event):
        at: datetime
        case_id: UUID
        point_id: str
        by: str

    class ServiceLabourRecorded(Aggregate.Event):
        at: datetime
        case_id: UUID
        labour: ServiceLabour

    class ServicePartRecorded(Aggregate.Event):
        at: datetime
        case_id: UUID
        part: ServicePart

    class ServiceCaseInvoiced(Aggregate.Event):
        at: datetime
        case_id: UUID
        invoice_id: UUID
        invoice_number: str

    class ContractLinked(Aggregate.Event):
        at: datetime
        contract_id: UUID

    class ContractUnlinked(Aggregate.Event):
        at: datetime
        contract_id: UUID

    @event(Registered)
    def __init__(
        self,
        at: datetime,
        customer_id: UUID,
        product_ref: str,
        description: str,
        serial_number: str | None,
        site: str,
        configuration: dict[str, str],
    ) -> None:
        self.customer_id = customer_id
        self.product_ref = product_ref
        self.description = description
        self.serial_number = serial_number
        self.site = site
        self.initial_configuration = dict(configuration)
        self.configuration = dict(configuration)
        self.configuration_history: list[ConfigurationRevision] = []
        self.warranties: dict[str, Warranty] = {}
        self.service_cases: dict[str, ServiceCase] = {}
        self.contract_id: UUID | None = None

    def trigger_event(self, event_class: type[CanMutateAggregate[UUID]], **kwargs: Any) -> None:
        # The event's timestamp is the command's time, never the clock.
        kwargs.setdefault("timestamp", kwargs.get("at"))
        super().trigger_event(event_class, **kwargs)

    # --- S1 record and configuration ------------------------------------------------------

    @classmethod
    def register(
        cls,
        at: datetime,
        customer_id: UUID,
        product_ref: str,
        description: str,
        serial_number: str | None,
        site: str,
        configuration: dict[str, str] | None = None,
        asset_id: UUID | None = None,
    ) -> Asset:
        """Record an asset installed at a customer's site."""
        _check_at(at)
        _required(product_ref, "a product reference")
        _required(site, "a site")
        if serial_number is not None:
            _required(serial_number, "a serial number, when given,")
        return cls._create(
            cls.Registered,
            id=asset_id or uuid4(),
            timestamp=at,
            at=at,
            customer_id=customer_id,
            product_ref=product_ref,
            description=description,
            serial_number=serial_number,
            site=site,
            configuration=dict(configuration or {}),
        )

    def change_configuration(
        self, at: datetime, changes: dict[str, str | None], reason: str
    ) -> int | None:
        """Set (or with None remove) configuration keys; returns the revision number,
        or None when nothing actually changes (and nothing is recorded)."""
        _check_at(at)
        _required(reason, "a reason")
        for key in changes:
            _required(key, "a configuration key")
        recorded = [
            ConfigurationChange(key, self.configuration.get(key), after)
            for key, after in sorted(changes.items())
            if self.configuration.get(key) != after
        ]
        if not recorded:
            return None
        number = len(self.configuration_history) + 1
        self._configuration_changed(at, number, reason, recorded)
        return number

    @event(ConfigurationChanged)
    def _configuration_changed(
        self, at: datetime, number: int, reason: str, changes: list[ConfigurationChange]
    ) -> None:
        _apply_changes(self.configuration, changes)
        self.configuration_history.append(ConfigurationRevision(number, at, reason, changes))

    def configuration_at(self, revision: int) -> dict[str, str]:
        """The configuration as it was after `revision` (0: as registered)."""
        configuration = dict(self.initial_configuration)
        for past in self.configuration_history[:revision]:
            _apply_changes(configuration, past.changes)
        return configuration

    # --- S2 warranties --------------------------------------------------------------------

    def set_warranty(self, at: datetime, kind: WarrantyKind, start: date, end: date) -> None:
        """Set (or replace) the customer or manufacturer warranty."""
        _check_at(at)
        warranty = Warranty(WarrantyKind(kind), start, end)  # refuses end < start
        self._warranty_set(at, warranty.kind, start, end)

    @event(WarrantySet)
    def _warranty_set(self, at: datetime, kind: WarrantyKind, start: date, end: date) -> None:
        self.warranties[str(kind)] = Warranty(kind, start, end)

    def warranty_status(
        self, kind: WarrantyKind, today: date, soon_days: int = 30
    ) -> WarrantyStatus | None:
        """The status of one kind of warranty, or None when the asset has none."""
        warranty = self.warranties.get(str(kind))
        return None if warranty is None else warranty.status(today, soon_days)

    def warranty_on(self, day: date) -> WarrantyKind | None:
        """The warranty that covers a repair on `day`: the manufacturer's first."""
        for kind in (WarrantyKind.MANUFACTURER, WarrantyKind.CUSTOMER):
            warranty = self.warranties.get(str(kind))
            if warranty is not None and warranty.covers(day):
                return kind
        return None

    # --- S3/S4 service cases and their checklists ----------------------------------------

    def open_service_case(self, at: datetime, problem: str, case_id: UUID | None = None) -> UUID:
        """Take the asset in for service; returns the case id."""
        _check_at(at)
        _required(problem, "a problem description")
        case_id = case_id or uuid4()
        if str(case_id) in self.service_cases:
            raise InvalidInput(f"the asset already has a service case {case_id}")
        kind = self.warranty_on(at.date())
        self._service_case_opened(at, case_id, problem, kind is not None, kind)
        return case_id

    @event(ServiceCaseOpened)
    def _service_case_opened(
        self,
        at: datetime,
        case_id: UUID,
        problem: str,
        under_warranty: bool,
        warranty_kind: WarrantyKind | None,
    ) -> None:
        case = ServiceCase(case_id, problem, at, under_warranty, warranty_kind)
        self.service_cases[str(case_id)] = case

    def diagnose(self, at: datetime, case_id: UUID, diagnosis: str) -> None:
        """Record (or correct) the diagnosis; a case at intake moves to diagnosis."""
        _check_at(at)
        _required(diagnosis, "a diagnosis")
        case = self.service_case(case_id)
        if case.status not in (ServiceCaseStatus.INTAKE, ServiceCaseStatus.DIAGNOSIS):
            raise InvalidTransition("service case", str(case.status), "diagnosed")
        self._service_case_diagnosed(at, case_id, diagnosis)

    @event(ServiceCaseDiagnosed)
    def _service_case_diagnosed(self, at: datetime, case_id: UUID, diagnosis: str) -> None:
        case = self.service_cases[str(case_id)]
        self.service_cases[str(case_id)] = replace(
            case, diagnosis=diagnosis, status=ServiceCaseStatus.DIAGNOSIS
        )

    def advance(self, at: datetime, case_id: UUID, to: ServiceCaseStatus) -> None:
        """Move a case one step on; it is returned only with its checklist complete."""
        _check_at(at)
        case = self.service_case(case_id)
        if to not in CASE_TRANSITIONS[case.status]:
            raise InvalidTransition("service case", str(case.status), f"moved to {to}")
        if to == ServiceCaseStatus.RETURNED and not case.checklist_complete:
            unchecked = [p.point_id for p in case.checklist if not p.checked]
            raise ChecklistIncomplete(
                f"unchecked points {', '.join(unchecked)}: the case cannot be returned"
            )
        self._service_case_advanced(at, case_id, ServiceCaseStatus(to))

    @event(ServiceCaseAdvanced)
    def _service_case_advanced(self, at: datetime, case_id: UUID, to: ServiceCaseStatus) -> None:
        case = self.service_cases[str(case_id)]
        returned_at = at if to == ServiceCaseStatus.RETURNED else None
        self.service_cases[str(case_id)] = replace(case, status=to, returned_at=returned_at)

    def return_to_customer(self, at: datetime, case_id: UUID) -> None:
        """Close a repaired case by handing the asset back to its customer."""
        self.advance(at, case_id, ServiceCaseStatus.RETURNED)

    def add_checklist_point(self, at: datetime, case_id: UUID, point_id: str, label: str) -> None:
        """Add a point to validate before the asset goes back to the customer."""
        _check_at(at)
        _required(point_id, "a checklist point id")
        _required(label, "a checklist point label")
        case = self._open_case(case_id, "given a checklist point")
        if case.point(point_id) is not None:
            raise DuplicateChecklistPoint(f"the case already has a point {point_id!r}")
        self._checklist_point_added(at, case_id, point_id, label)

    @event(ChecklistPointAdded)
    def _checklist_point_added(
        self, at: datetime, case_id: UUID, point_id: str, label: str
    ) -> None:
        case = self.service_cases[str(case_id)]
        checklist = [*case.checklist, ChecklistPoint(point_id, label)]
        self.service_cases[str(case_id)] = replace(case, checklist=checklist)

    def check_point(self, at: datetime, case_id: UUID, point_id: str, by: str) -> None:
        """Record who validated a point, and when; checking it again changes nothing."""
        _check_at(at)
        _required(by, "who checked the point")
        case = self._open_case(case_id, "checked")
        point = case.point(point_id)
        if point is None:
            raise UnknownChecklistPoint(f"no checklist point {point_id!r} on case {case_id}")
        if not point.checked:
            self._checklist_point_checked(at, case_id, point_id, by)

    @event(ChecklistPointChecked)
    def _checklist_point_checked(self, at: datetime, case_id: UUID, point_id: str, by: str) -> None:
        case = self.service_cases[str(case_id)]
        checklist = [
            replace(p, checked_by=by, checked_at=at) if p.point_id == point_id else p
            for p in case.checklist
        ]
        self.service_cases[str(case_id)] = replace(case, checklist=checklist)

    # --- S3 labour, parts and the case's invoice (issue 14) --------------------------------

    def record_labour(self, at: datetime, case_id: UUID, labour: ServiceLabour) -> None:
        """Record hours spent on an open case not yet invoiced."""
        _check_at(at)
        self._billing_case(case_id, "given labour")
        self._labour_recorded(at, case_id, checked_labour(labour))

    @event(ServiceLabourRecorded)
    def _labour_recorded(self, at: datetime, case_id: UUID, labour: ServiceLabour) -> None:
        case = self.service_cases[str(case_id)]
        self.service_cases[str(case_id)] = replace(case, labour=[*case.labour, labour])

    def record_part(self, at: datetime, case_id: UUID, part: ServicePart) -> None:
        """Record a part fitted on an open case not yet invoiced."""
        _check_at(at)
        self._billing_case(case_id, "given a part")
        self._part_recorded(at, case_id, checked_part(part))

    @event(ServicePartRecorded)
    def _part_recorded(self, at: datetime, case_id: UUID, part: ServicePart) -> None:
        case = self.service_cases[str(case_id)]
        self.service_cases[str(case_id)] = replace(case, parts=[*case.parts, part])

    def billable_by_default(self, case_id: UUID) -> bool:
        """An item of a case is billable unless said otherwise when the case is not
        under warranty."""
        return not self.service_case(case_id).under_warranty

    def to_invoice(self, case_id: UUID, vat_rate: Decimal) -> list[InvoiceLine]:
        """The lines of the case's invoice: repaired or returned, not yet invoiced, with
        something billable."""
        case = self.service_case(case_id)
        if case.status not in (ServiceCaseStatus.REPAIR, ServiceCaseStatus.RETURNED):
            raise InvalidTransition("service case", str(case.status), "invoiced")
        self._not_invoiced(case)
        return case_lines(case.labour, case.parts, vat_rate)

    def invoice_case(
        self, at: datetime, case_id: UUID, invoice_id: UUID, invoice_number: str
    ) -> None:
        """Record the invoice issued for the case; a case is invoiced once."""
        _check_at(at)
        case = self.service_case(case_id)
        self._not_invoiced(case)
        self._case_invoiced(at, case_id, invoice_id, _required(invoice_number, "a number"))

    @event(ServiceCaseInvoiced)
    def _case_invoiced(
        self, at: datetime, case_id: UUID, invoice_id: UUID, invoice_number: str
    ) -> None:
        case = self.service_cases[str(case_id)]
        self.service_cases[str(case_id)] = replace(
            case, invoice_id=invoice_id, invoice_number=invoice_number
        )

    def _billing_case(self, case_id: UUID, verb: str) -> ServiceCase:
        case = self._open_case(case_id, verb)
        self._not_invoiced(case)
        return case

    @staticmethod
    def _not_invoiced(case: ServiceCase) -> None:
        if case.invoice_number is not None:
            raise ServiceCaseAlreadyInvoiced(
                f"service case {case.case_id} was invoiced as {case.invoice_number}"
            )

    def service_case(self, case_id: UUID) -> ServiceCase:
        case = self.service_cases.get(str(case_id))
        if case is None:
            raise UnknownServiceCase(f"no service case {case_id} on asset {self.id}")
        return case

    def open_service_cases(self) -> list[ServiceCase]:
        return [c for c in self.service_cases.values() if c.status != ServiceCaseStatus.RETURNED]

    def _open_case(self, case_id: UUID, verb: str) -> ServiceCase:
        case = self.service_case(case_id)
        if case.status == ServiceCaseStatus.RETURNED:
            raise InvalidTransition("service case", str(case.status), verb)
        return case

    # --- S5 maintenance contract ----------------------------------------------------------

    def link_contract(self, at: datetime, contract_id: UUID) -> None:
        """Link the maintenance contract covering the asset; linking it again changes nothing."""
        _check_at(at)
        if self.contract_id == contract_id:
            return
        if self.contract_id is not None:
            raise AssetUnderAnotherContract(
                f"the asset is covered by contract {self.contract_id}: unlink it first"
            )
        self._contract_linked(at, contract_id)

    @event(ContractLinked)
    def _contract_linked(self, at: datetime, contract_id: UUID) -> None:
        self.contract_id = contract_id

    def unlink_contract(self, at: datetime, contract_id: UUID) -> None:
        """Unlink that contract; a contract not linked changes nothing."""
        _check_at(at)
        if self.contract_id == contract_id:
            self._contract_unlinked(at, contract_id)

    @event(ContractUnlinked)
    def _contract_unlinked(self, at: datetime, contract_id: UUID) -> None:
        self.contract_id = None


def _apply_changes(configuration: dict[str, str], changes: list[ConfigurationChange]) -> None:
    for change in changes:
        if change.after is None:
            configuration.pop(change.key, None)
        else:
            configuration[change.key] = change.after
