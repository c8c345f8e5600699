"""Domain errors, named for what went wrong.

Every error carries a human sentence; the HTTP layer maps each class to a stable
problem `type` (its `code`) and a status once, in one place.
"""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused a command."""

    code = "domain-error"


class InvalidInput(DomainError):
    """A value is malformed or out of range."""

    code = "invalid-input"


class InvalidAmount(InvalidInput):
    """An amount is negative, not finite, or mixes currencies."""

    code = "invalid-amount"


class UnknownCurrency(InvalidInput):
    """A currency code we do not know."""

    code = "unknown-currency"


class InvalidTransition(DomainError):
    """The document's state does not allow this verb."""

    code = "invalid-transition"

    def __init__(self, document: str, state: str, verb: str) -> None:
        super().__init__(f"a {state} {document} cannot be {verb}")
        self.document = document
        self.state = state
        self.verb = verb


class NotFound(DomainError):
    """No document with that id."""

    code = "not-found"


class UnknownLine(NotFound):
    """No line with that id on the document."""

    code = "unknown-line"


# --- Quote -----------------------------------------------------------------------------


class QuoteConflict(DomainError):
    """The quote's current state refuses the command (beyond its transition table)."""

    code = "quote-conflict"


class QuoteExpired(QuoteConflict):
    """The quote's validity date has passed."""

    code = "quote-expired"


class EmptyQuote(QuoteConflict):
    """A quote without lines cannot be sent."""

    code = "empty-quote"


class QuoteStillValid(QuoteConflict):
    """The quote cannot expire before its validity date has passed."""

    code = "quote-still-valid"


class ApprovalRequired(QuoteConflict):
    """The quote crosses an approval threshold and its revision is not approved."""

    code = "approval-required"

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(
            "this quote needs a manager's approval before it is sent: " + "; ".join(reasons)
        )
        self.reasons = reasons


class QuoteAlreadyApproved(QuoteConflict):
    """The current revision of the quote is already approved."""

    code = "quote-already-approved"


class QuotePartyRequired(InvalidInput):
    """A quote needs a known customer or a prospect's name."""

    code = "quote-party-required"


class CustomerRequired(InvalidInput):
    """A prospect's quote must name its customer when it converts into an order."""

    code = "customer-required"


class QuoteCustomerMismatch(InvalidInput):
    """The customer given does not match the quote's customer."""

    code = "quote-customer-mismatch"


# --- Affair (A1–A9) ---------------------------------------------------------


class InvalidStageLadder(InvalidInput):
    """A stage ladder with no stages, duplicate codes or probabilities outside 0–100."""

    code = "invalid-stage-ladder"


class UnknownStage(InvalidInput):
    """A stage code that is not on the affair's ladder."""

    code = "unknown-stage"


class InvalidAffairPeriod(InvalidInput):
    """An affair period that ends before it starts."""

    code = "invalid-affair-period"


class InvalidProgress(InvalidInput):
    """A progress percentage outside 0–100."""

    code = "invalid-progress"


class MissingHourlyRate(InvalidInput):
    """No hourly rate given and none in force for the employee on that day."""

    code = "missing-hourly-rate"


class CurrencyNotConfigured(InvalidInput):
    """A currency the affair neither uses nor has a conversion rate for."""

    code = "currency-not-configured"


class DuplicateCommittedCost(InvalidInput):
    """A committed cost with that document reference is already outstanding."""

    code = "duplicate-committed-cost"


class BudgetExceeded(DomainError):
    """A purchase would take the affair's purchases above their budget (blocking policy)."""

    code = "budget-exceeded"


class DateOutsideAffairPeriod(DomainError):
    """A document's date falls outside the affair's period (blocking policy)."""

    code = "date-outside-affair-period"


class UnknownAlert(NotFound):
    """No alert with that id on the affair."""

    code = "unknown-alert"


class UnknownAction(NotFound):
    """No action with that id on the affair."""

    code = "unknown-action"


class UnknownCommittedCost(NotFound):
    """No outstanding committed cost with that document reference."""

    code = "unknown-committed-cost"


# --- Order and Customer (O1–O8, U1–U2) ---


class ReasonRequired(InvalidInput):
    """A verb that must be justified was given no reason."""

    code = "reason-required"


class EmptyOrder(InvalidInput):
    """An order must keep at least one line."""

    code = "empty-order"


class DuplicateLine(InvalidInput):
    """A line id is already used on the order."""

    code = "duplicate-line"


class CreditLimitExceeded(DomainError):
    """Outstanding plus this order exceeds the customer's credit limit, with no override."""

    code = "credit-limit-exceeded"


class OverDelivery(DomainError):
    """A delivery would exceed the quantity ordered (as amended)."""

    code = "over-delivery"


class OverReturn(DomainError):
    """A return would exceed the quantity delivered and not yet returned."""

    code = "over-return"


class QuantityBelowFulfilled(DomainError):
    """An amendment would cut a line below what was already delivered or invoiced."""

    code = "quantity-below-fulfilled"


class OverInvoicing(DomainError):
    """An invoice would exceed what the invoicing policy allows."""

    code = "over-invoicing"


class OverCrediting(DomainError):
    """A credit note would exceed what is left to credit on its invoice."""

    code = "over-crediting"


class OverPayment(DomainError):
    """A payment would exceed what is due on its invoice."""

    code = "over-payment"


class DuplicateDocument(DomainError):
    """A delivery, return, invoice or credit note number is already used."""

    code = "duplicate-document"


class DuplicateInvoiceNumber(DuplicateDocument):
    """An invoice or credit note number is already used on this order."""

    code = "duplicate-invoice-number"


class UnknownInvoice(NotFound):
    """No invoice with that number on the order."""

    code = "unknown-invoice"


class OrderIncomplete(DomainError):
    """An order cannot close while something is on backorder or not invoiced."""

    code = "order-incomplete"


class OrderHasOpenInvoices(DomainError):
    """An order cannot be cancelled while an invoice on it is not fully credited."""

    code = "order-has-open-invoices"


class InvalidVatNumber(InvalidInput):
    """A VAT number that does not have a valid form."""

    code = "invalid-vat-number"


class CustomerStillActive(DomainError):
    """A customer with a recent quote cannot be marked inactive."""

    code = "customer-still-active"


class DuplicateAddress(InvalidInput):
    """An address id is already used on the customer."""

    code = "duplicate-address"


class UnknownAddress(NotFound):
    """No address with that id on the customer."""

    code = "unknown-address"


# --- Contract (C1–C5) -------------------------------------------------------------------


class PeriodNotDue(DomainError):
    """A contract period cannot be billed before it starts."""

    code = "period-not-due"


class ContractEnded(DomainError):
    """The date falls after the contract's end or termination."""

    code = "contract-ended"


class ContractSuspended(DomainError):
    """A suspended contract bills nothing; periods starting while suspended are skipped."""

    code = "contract-suspended"


class AmendmentBeforeBilledPeriod(DomainError):
    """A change would take effect inside or before a period already billed."""

    code = "amendment-before-billed-period"


class NotAMaintenanceContract(InvalidInput):
    """Only a maintenance contract covers assets."""

    code = "not-a-maintenance-contract"


# --- Asset (S1–S5) ----------------------------------------------------------------------


class InvalidWarrantyPeriod(InvalidInput):
    """A warranty's end is before its start."""

    code = "warranty-dates-invalid"


class UnknownServiceCase(NotFound):
    """No service case with that id on the asset."""

    code = "unknown-service-case"


class UnknownChecklistPoint(NotFound):
    """No checklist point with that id on the service case."""

    code = "unknown-checklist-point"


class DuplicateChecklistPoint(InvalidInput):
    """The service case already has a checklist point with that id."""

    code = "duplicate-checklist-point"


class ChecklistIncomplete(DomainError):
    """A service case cannot be returned to the customer while a point is unchecked."""

    code = "checklist-incomplete"


class AssetUnderAnotherContract(DomainError):
    """The asset is already linked to another maintenance contract."""

    code = "asset-under-another-contract"


class UnknownRevision(NotFound):
    """No revision with that number on the quote."""

    code = "unknown-revision"


# --- Bounds ----------------------------------------------------------------------------


class AmountOutOfBounds(InvalidAmount):
    """A quantity, price, rate or total lies outside the bounds the product supports."""

    code = "amount-out-of-bounds"

    def __init__(self, field: str, value: object, bound: str) -> None:
        super().__init__(f"{field} {value} is out of bounds: {bound}")
        self.field = field
        self.value = value
        self.bound = bound


# --- Company and legal identities (issue 14) ---------------------------------------------


class InvalidIdentifier(InvalidInput):
    """A legal or bank identifier (SIREN, SIRET, IBAN, BIC) is malformed or fails its check."""

    code = "invalid-identifier"

    def __init__(self, field: str, value: str, why: str) -> None:
        super().__init__(f"{field}: {value!r} {why}")
        self.field = field
        self.value = value


class InvalidSiren(InvalidIdentifier):
    """Not a SIREN: 9 digits with a Luhn check digit."""

    code = "invalid-siren"


class InvalidSiret(InvalidIdentifier):
    """Not a SIRET: 14 digits, the SIREN then the establishment, with its check digit."""

    code = "invalid-siret"


class InvalidIban(InvalidIdentifier):
    """Not an IBAN: country, check digits and a bank account number of that country."""

    code = "invalid-iban"


class InvalidBic(InvalidIdentifier):
    """Not a BIC (SWIFT code): 8 or 11 letters and digits."""

    code = "invalid-bic"


class IdentifiersDisagree(InvalidIdentifier):
    """Two identifiers of one party do not belong together (a SIRET or French VAT number
    that is not of the SIREN given)."""

    code = "identifiers-disagree"


class InvalidLogo(InvalidInput):
    """A logo whose bytes are not the image its media type says, or too large."""

    code = "invalid-logo"


class CompanyNotEstablished(NotFound):
    """The company's settings have not been established yet."""

    code = "company-not-established"


class CompanyAlreadyEstablished(DomainError):
    """The company's settings exist: they are amended, never established again."""

    code = "company-already-established"


class AmendmentChangesNothing(DomainError):
    """An amendment of the company's settings that leaves every field as it was."""

    code = "amendment-changes-nothing"


class AmendmentBeforeLastEffective(DomainError):
    """An amendment takes effect before the one recorded last."""

    code = "amendment-before-last-effective"


# --- Invoices and credit notes as documents (issue 14) -----------------------------------


class UnknownUnitCode(InvalidInput):
    """A unit that is neither a UN/ECE Recommendation 20 code we know nor a word for one."""

    code = "unknown-unit-code"


class UnknownVatCategory(InvalidInput):
    """A VAT category that is not one of EN 16931's (S, Z, E, AE, K, G, O)."""

    code = "unknown-vat-category"


class VatCategoryMismatch(InvalidInput):
    """A line's VAT rate or exemption reason does not fit its VAT category."""

    code = "vat-category-mismatch"


class ExemptionReasonConflict(DomainError):
    """Two lines of one VAT category give different exemption reasons (one per category)."""

    code = "exemption-reason-conflict"


class OutOfScopeVatMixed(DomainError):
    """Lines outside the scope of VAT (O) and lines of another category on one invoice."""

    code = "out-of-scope-vat-mixed"


class InvalidPaymentTerms(InvalidInput):
    """Payment terms with a number of days their kind does not take, or past the law's."""

    code = "invalid-payment-terms"


class EmptyInvoice(DomainError):
    """An invoice without lines cannot be issued."""

    code = "empty-invoice"


class IssueDateInFuture(DomainError):
    """An issue date after the day the command is recorded."""

    code = "issue-date-in-future"


class IssueDateBeforePrevious(DomainError):
    """An issue date before the date of the previous number of its series."""

    code = "issue-date-before-previous"


class CreditNoteBeforeInvoice(DomainError):
    """A credit note dated before the invoice it corrects."""

    code = "credit-note-before-invoice"


class BuyerVatNumberRequired(DomainError):
    """Reverse charge (AE) or an intra-EU supply (K) needs the buyer's VAT number."""

    code = "buyer-vat-number-required"


class NotCreditable(DomainError):
    """Only an issued invoice is corrected by a credit note, never a credit note."""

    code = "not-creditable"


class CreditExceedsInvoice(DomainError):
    """A credit note above what remains creditable on its invoice."""

    code = "credit-exceeds-invoice"


class UnknownInvoiceNumber(NotFound):
    """No invoice or credit note document holds that number."""

    code = "unknown-invoice-number"


class SellerNotEstablished(DomainError):
    """Issuing with no company settings in effect on the issue date."""

    code = "seller-not-established"


class PaymentDateInFuture(DomainError):
    """A payment's value date after the day the command is recorded."""

    code = "payment-date-in-future"


class PaymentAboveDue(DomainError):
    """An overpayment: above what is due on an invoice, or on all it is allocated to."""

    code = "payment-above-due"


class AllocationsAbovePayment(InvalidInput):
    """Allocations adding up to more than the payment's amount."""

    code = "allocations-above-payment"


class NotPayable(DomainError):
    """A payment allocated to a draft, a credit note, or another customer's invoice."""

    code = "invoice-not-payable"


# --- Value vouchers (S6) -------------------------------------------------------------------


class InvalidVoucherCode(InvalidInput):
    """Text that is not a voucher code (`VCH-` and three groups of four characters)."""

    code = "invalid-voucher-code"


class VoucherValidityBeforeIssue(InvalidInput):
    """A voucher valid through a day before the day it is issued."""

    code = "voucher-validity-before-issue"


class VoucherNotYetValid(DomainError):
    """A voucher redeemed on a day before it was issued."""

    code = "voucher-not-yet-valid"


class VoucherExpired(DomainError):
    """A voucher redeemed on a day after the last day it is valid."""

    code = "voucher-expired"


class VoucherCancelled(DomainError):
    """A cancelled voucher redeemed: what it had left was forfeited."""

    code = "voucher-cancelled"


class VoucherBalanceExceeded(DomainError):
    """A redemption above what is left on the voucher."""

    code = "voucher-balance-exceeded"


class VoucherCurrencyMismatch(DomainError):
    """A voucher redeemed for a payment in another currency than its own."""

    code = "voucher-currency-mismatch"


class VoucherOfAnotherCustomer(DomainError):
    """A customer's voucher redeemed by another customer (only a voucher to bearer may be)."""

    code = "voucher-of-another-customer"


class VoucherMeansMismatch(InvalidInput):
    """A payment by voucher that names no voucher, or a voucher named by another means."""

    code = "voucher-means-mismatch"


class InvalidExportPeriod(InvalidInput):
    """An accounting export's range that ends before it starts, or spans too many years."""

    code = "invalid-export-period"


class ExportNeedsEuros(DomainError):
    """A document in another currency in a FEC range: the FEC is kept in euros, and no
    exchange rate is recorded on invoices to convert it."""

    code = "fec-needs-euros"


# --- Documents (issue 15) --------------------------------------------------------------


class DocumentNotIssued(DomainError):
    """A PDF asked of a document not issued yet (a draft): only a marked preview exists."""

    code = "document-not-issued"


class EditionNotIssued(NotFound):
    """No file was issued for that edition of the document."""

    code = "edition-not-issued"


class EditionAlreadyIssued(DomainError):
    """An edition's file is recorded once; it is never replaced."""

    code = "edition-already-issued"


class UnknownDelivery(NotFound):
    """No delivery with that id on the order."""

    code = "unknown-delivery"


class UnknownSending(NotFound):
    """No e-mail sending with that id."""

    code = "unknown-sending"


class SendingAlreadySent(DomainError):
    """A sending the SMTP server accepted is never sent again."""

    code = "sending-already-sent"


class InvalidRecipient(InvalidInput):
    """An e-mail recipient that is not one plain address."""

    code = "invalid-recipient"


# --- Invoices from contracts, service cases and affairs (issue 14) -------------------------


class ServiceCaseNotBillable(DomainError):
    """A service case invoiced with no billable labour or part recorded."""

    code = "service-case-not-billable"


class ServiceCaseAlreadyInvoiced(DomainError):
    """A service case invoiced (or given labour or parts) after its invoice was issued."""

    code = "service-case-already-invoiced"


class UnknownAffairEntry(NotFound):
    """No time entry or cost with that id on the affair."""

    code = "unknown-affair-entry"


class EntryNotBillable(DomainError):
    """A time entry logged as not billable, or a committed cost not yet received, invoiced."""

    code = "entry-not-billable"


class EntryAlreadyInvoiced(DomainError):
    """A time entry or cost that an earlier invoice of the affair already took."""

    code = "entry-already-invoiced"


class MissingSaleRate(InvalidInput):
    """Time entries invoiced for an employee whose hourly sale rate the request omits."""

    code = "missing-sale-rate"


class RevenueBelowZero(DomainError):
    """A correction that would take an affair's ordered or invoiced revenue below zero."""

    code = "revenue-below-zero"


class DepositsAboveInvoice(InvalidInput):
    """An invoice deducting more deposits than its own total incl. tax."""

    code = "deposits-above-invoice"


class InvoiceIsADocument(DomainError):
    """An order's invoice issued as a document of its own is credited and paid as one
    (`/invoices/{id}/credit-notes`, `/payments`), not through the order's own records."""

    code = "invoice-is-a-document"


class EInvoiceInvalid(DomainError):
    """The invoice's EN 16931 XML breaks the XSD or a business rule: no Factur-X is made."""

    code = "einvoice-invalid"


class AffairHasNoCustomer(DomainError):
    """An affair followed for a prospect invoiced before its customer is named."""

    code = "affair-has-no-customer"


# --- Catalogue and prices (issue 17) --------------------------------------------------


class UnknownSaleUnit(InvalidInput):
    """A quantity in a unit the product is not sold in."""

    code = "unknown-sale-unit"


class DuplicateProduct(DomainError):
    """A product registered under a reference another product has."""

    code = "duplicate-product"


class ProductDiscontinued(DomainError):
    """A discontinued product put on a new line."""

    code = "product-discontinued"


class DuplicatePriceList(DomainError):
    """A price list created under a code another list has."""

    code = "duplicate-price-list"


class InvalidPriceRule(InvalidInput):
    """A price rule that cannot price anything: no target, bad breaks, a default list
    discounting a list price it is itself."""

    code = "invalid-price-rule"


class BackdatedAmendment(DomainError):
    """A price list amended before its last amendment's effective date."""

    code = "backdated-amendment"


class NoPrice(DomainError):
    """No price list in force gives the product a price (or a formula lacks its cost)."""

    code = "no-price"


class PriceCurrencyMismatch(DomainError):
    """The list that prices the product, or its cost, is in another currency."""

    code = "price-currency-mismatch"


class ImportRejected(InvalidInput):
    """A catalogue file with errors: nothing of it is recorded; each error names its row
    and column."""

    code = "import-rejected"

    def __init__(self, problems: list[dict[str, object]]) -> None:
        first = problems[0] if problems else {}
        super().__init__(
            f"{len(problems)} error(s) in the file, nothing imported; first: "
            f"{first.get('sheet', '')} row {first.get('row')} column {first.get('column')}: "
            f"{first.get('message')}"
        )
        self.problems = problems


# --- Stated days of deliveries and returns (issue 14) ---------------------------------


class DeliveryDateInFuture(DomainError):
    """A delivery's stated day after the day the command is recorded."""

    code = "delivery-date-in-future"


class ReturnDateInFuture(DomainError):
    """A return's stated day after the day the command is recorded."""

    code = "return-date-in-future"


class DatedBeforeConfirmation(DomainError):
    """A delivery or return stated on a day before the order's confirmation day."""

    code = "dated-before-confirmation"
