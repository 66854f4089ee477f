"""The landing contract as data: every CRM/ERP/HR extract table the warehouse reads.

One machine-readable copy of ``shared/spec/landing-contract.md``. The generator writes files
in this shape, the tests check the generated files against it, and the dbt sources YAML is
checked against it (``tests/test_contract_sync.py``), so the three cannot drift apart.

Column types are logical types of the contract, not storage types:
``id`` string key · ``text`` · ``enum`` (closed list) · ``date`` · ``timestamp`` · ``bool`` ·
``int`` · ``money`` (in the row's currency, or the base currency) · ``number`` (a decimal that
is not money: rate, hours, score).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    nullable: bool = True
    enum: tuple[str, ...] | None = None
    references: str | None = None  # "table.column"
    pii: bool = False
    optional: bool = False  # the file may omit the column altogether
    min: float | None = None
    max: float | None = None
    default: str | None = None  # the value an empty cell stands for (enum columns)


@dataclass(frozen=True)
class Table:
    name: str
    source: str  # crm | erp | plan | hr
    grain: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    required: bool = False
    event_time: str | None = None  # column used for freshness
    soft_delete: bool = False  # carries an optional is_deleted column

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name}")


# Plausible bounds of number columns (rule out_of_range). Every int, money and number column has
# an upper bound, so an absurd magnitude (1e300, a pasted account number) is quarantined instead
# of reaching a sum: money ≤ 1e12 (a trillion in the row's currency) unless the column says
# otherwise; quantities ≤ 1e9; hours, minutes and days ≤ 1e5; counts ≤ 1e9.
MONEY_MAX = 1e12
QUANTITY_MAX = 1e9
DURATION_MAX = 1e5
COUNT_MAX = 1e9


def _c(name: str, type_: str, description: str, **kw) -> Column:
    if "enum" in kw and kw["enum"] is not None:
        kw["enum"] = tuple(kw["enum"])
    if type_ == "money" and kw.get("max") is None:
        kw["max"] = MONEY_MAX
    return Column(name, type_, description, **kw)


def _key(name: str, description: str) -> Column:
    return Column(name, "id", description, nullable=False)


IS_DELETED = _c("is_deleted", "bool", "Soft-delete flag of the source system; deleted rows never count.", optional=True)
CURRENCY = _c("currency", "text", "ISO 4217 code of the row's money columns.")

MARKET_TYPES = ("emerging", "mature", "declining")
TEAM_STAGES = ("startup", "growth", "mature")
ROLES = ("direct", "key_account", "ecommerce")
LEVELS = ("rep", "regional_manager", "director")
SEGMENTS = ("B2B", "B2C")
DECISION_ROLES = ("decision_maker", "influencer", "user", "procurement", "finance")
LEAD_STATUSES = ("open", "converted", "disqualified")
OPP_STATUSES = ("open", "won", "lost")
OPP_STAGES = ("qualification", "needs_analysis", "proposal", "negotiation", "closed")
ACTIVITY_TYPES = ("visit_onsite", "visit_online", "call", "email")
KEY_ACTIONS = ("needs_assessment", "solution_demo", "proposal", "negotiation", "none")
TRIGGER_TYPES = ("inquiry", "complaint", "quote_sent", "pre_contract")
TICKET_TYPES = ("complaint", "service_request", "inquiry")
LIFECYCLE_STAGES = ("introduction", "growth", "maturity", "decline")
CHANNELS = ("direct", "online", "distributor")
ORDER_STATUSES = ("confirmed", "cancelled")
ORDER_TYPES = ("sale", "return")
CONTRACT_TYPES = ("one_off", "subscription")
CONTRACT_STATUSES = ("active", "expired", "terminated")
COST_TYPES = ("acquisition", "service", "maintenance")
EXPENSE_CATEGORIES = ("travel", "entertainment", "marketing")
TARGET_GRAINS = ("rep", "team")
SKILLS = (
    "needs_discovery",
    "value_communication",
    "negotiation",
    "solution_design",
    "objection_handling",
    "customer_management",
)
ASSESSOR_TYPES = ("simulation", "manager", "peer", "customer", "self")
TRAINING_TOPICS = ("product", "policy", "competitor", "industry", "skills")
CONTRIBUTION_TYPES = ("case_study", "pitfall_guide", "talk")
REPORT_TYPES = ("competitor_analysis", "customer_health", "market_trend")
DEPARTMENTS = ("presales", "after_sales", "finance", "product", "delivery")
REQUEST_TYPES = ("customer_feedback", "requirement_insight", "market_intel")
PROCESS_AREAS = ("quote_approval", "contract_signing", "expense_claim", "large_order_approval")

TABLES: tuple[Table, ...] = (
    # ------------------------------------------------------------------ CRM
    Table(
        "crm_regions",
        "crm",
        "region",
        "Sales regions and the kind of market each one is.",
        key=("region_code",),
        columns=(
            _key("region_code", "Region code (primary key)."),
            _c("region_name", "text", "Region display name."),
            _c("market_type", "enum", "Market maturity of the region.", enum=MARKET_TYPES),
            IS_DELETED,
        ),
        soft_delete=True,
    ),
    Table(
        "crm_teams",
        "crm",
        "team",
        "Sales teams.",
        key=("team_id",),
        required=True,
        soft_delete=True,
        columns=(
            _key("team_id", "Team id (primary key)."),
            _c("team_name", "text", "Team display name."),
            _c("region_code", "id", "Region the team sells in.", references="crm_regions.region_code"),
            _c("team_stage", "enum", "Development stage of the team.", enum=TEAM_STAGES),
            _c("manager_rep_id", "id", "Rep who manages the team.", references="crm_sales_reps.rep_id"),
            _c("parent_team_id", "id", "Parent team in the hierarchy, if any.", references="crm_teams.team_id"),
            _c("created_at", "timestamp", "When the team was created in the CRM."),
            IS_DELETED,
        ),
    ),
    Table(
        "crm_sales_reps",
        "crm",
        "rep",
        "Sales reps, managers and directors.",
        key=("rep_id",),
        required=True,
        soft_delete=True,
        columns=(
            _key("rep_id", "Rep id (primary key)."),
            _c("rep_name", "text", "Rep's name."),
            _c("email", "text", "Work email (PII).", pii=True),
            _c("role", "enum", "Sales role.", enum=ROLES),
            _c("level", "enum", "Job level.", enum=LEVELS),
            _c("hire_date", "date", "Date hired."),
            _c("termination_date", "date", "Date the rep left; empty while employed."),
            _c(
                "team_id",
                "id",
                "Current team; optional, used only when crm_rep_team_assignments is missing.",
                references="crm_teams.team_id",
                optional=True,
            ),
            IS_DELETED,
        ),
    ),
    Table(
        "crm_rep_team_assignments",
        "crm",
        "rep × validity interval",
        "History of which team each rep belonged to: valid_from ≤ d < valid_to.",
        key=("rep_id", "valid_from"),
        soft_delete=True,
        columns=(
            _c("rep_id", "id", "Rep.", nullable=False, references="crm_sales_reps.rep_id"),
            _c("team_id", "id", "Team the rep belonged to in the interval.", references="crm_teams.team_id"),
            _c("valid_from", "date", "First day of the assignment.", nullable=False),
            _c("valid_to", "date", "Day after the last day of the assignment; empty = current."),
            IS_DELETED,
        ),
    ),
    Table(
        "crm_accounts",
        "crm",
        "customer",
        "Customer accounts (B2B companies and B2C consumers).",
        key=("customer_id",),
        required=True,
        soft_delete=True,
        columns=(
            _key("customer_id", "Customer id (primary key)."),
            _c("customer_name", "text", "Customer name (PII for B2C).", pii=True),
            _c("segment", "enum", "Business (B2B) or consumer (B2C) customer.", enum=SEGMENTS),
            _c("industry", "text", "Industry of the customer."),
            _c("region_code", "id", "Region of the customer.", references="crm_regions.region_code"),
            _c("owner_rep_id", "id", "Current owner rep.", references="crm_sales_reps.rep_id"),
            _c("created_at", "timestamp", "When the account was created."),
            _c("acquisition_channel", "text", "Channel through which the customer was acquired."),
            _c("is_target_account", "bool", "Named target account that reps must cover with visits."),
            _c(
                "est_annual_category_spend",
                "money",
                "Customer's estimated total yearly spend on our category, in the account currency.",
                min=0,
            ),
            CURRENCY,
            _c("contact_email", "text", "Main contact email (PII).", pii=True),
            _c("contact_phone", "text", "Main contact phone (PII).", pii=True),
            _c(
                "referred_by_customer_id",
                "id",
                "Customer who referred this one, if any.",
                references="crm_accounts.customer_id",
            ),
            IS_DELETED,
        ),
    ),
    Table(
        "crm_account_owner_history",
        "crm",
        "customer × validity interval",
        "History of each customer's owner rep: valid_from ≤ d < valid_to.",
        key=("customer_id", "valid_from"),
        soft_delete=True,
        columns=(
            _c("customer_id", "id", "Customer.", nullable=False, references="crm_accounts.customer_id"),
            _c("owner_rep_id", "id", "Owner rep in the interval.", references="crm_sales_reps.rep_id"),
            _c("valid_from", "date", "First day of ownership.", nullable=False),
            _c("valid_to", "date", "Day after the last day of ownership; empty = current."),
            IS_DELETED,
        ),
    ),
    Table(
        "crm_contacts",
        "crm",
        "contact",
        "People at customer accounts and their role in the buying decision.",
        key=("contact_id",),
        soft_delete=True,
        columns=(
            _key("contact_id", "Contact id (primary key)."),
            _c("customer_id", "id", "Account of the contact.", references="crm_accounts.customer_id"),
            _c("contact_name", "text", "Contact name (PII).", pii=True),
            _c("email", "text", "Contact email (PII).", pii=True),
            _c("phone", "text", "Contact phone (PII).", pii=True),
            _c("decision_role", "enum", "Role in the customer's decision chain.", enum=DECISION_ROLES),
            IS_DELETED,
        ),
    ),
    Table(
        "crm_leads",
        "crm",
        "lead",
        "Leads and their conversion into customers.",
        key=("lead_id",),
        soft_delete=True,
        event_time="created_at",
        columns=(
            _key("lead_id", "Lead id (primary key)."),
            _c("rep_id", "id", "Rep working the lead.", references="crm_sales_reps.rep_id"),
            _c("lead_source", "text", "Where the lead came from."),
            _c("created_at", "timestamp", "When the lead was created."),
            _c("status", "enum", "Lead status.", enum=LEAD_STATUSES),
            _c(
                "converted_customer_id",
                "id",
                "Customer the lead became, if converted.",
                references="crm_accounts.customer_id",
            ),
            _c("converted_at", "timestamp", "When the lead converted."),
            IS_DELETED,
        ),
    ),
    Table(
        "crm_opportunities",
        "crm",
        "opportunity",
        "Sales opportunities, won, lost or open.",
        key=("opportunity_id",),
        soft_delete=True,
        event_time="created_at",
        columns=(
            _key("opportunity_id", "Opportunity id (primary key)."),
            _c("customer_id", "id", "Customer.", references="crm_accounts.customer_id"),
            _c("rep_id", "id", "Rep who owns the opportunity.", references="crm_sales_reps.rep_id"),
            _c("product_id", "id", "Main product of the deal.", references="erp_products.product_id"),
            _c("created_at", "timestamp", "When the opportunity was created."),
            _c("expected_close_date", "date", "Date the rep expects to close."),
            _c("closed_at", "timestamp", "When it was won or lost; empty while open."),
            _c("status", "enum", "Opportunity status.", enum=OPP_STATUSES),
            _c("stage", "text", "Pipeline stage."),
            _c("forecast_amount", "money", "Rep's predicted deal size.", min=0),
            _c("won_amount", "money", "Actual deal size when won.", min=0),
            CURRENCY,
            _c(
                "target_cycle_days",
                "int",
                "Agreed sales-cycle length for B2B projects, in days.",
                min=0,
                max=DURATION_MAX,
            ),
            IS_DELETED,
        ),
    ),
    Table(
        "crm_opportunity_contacts",
        "crm",
        "opportunity × contact",
        "Which customer contacts an opportunity engaged (the decision chain).",
        key=("opportunity_id", "contact_id"),
        soft_delete=True,
        columns=(
            _c("opportunity_id", "id", "Opportunity.", nullable=False, references="crm_opportunities.opportunity_id"),
            _c("contact_id", "id", "Contact engaged.", nullable=False, references="crm_contacts.contact_id"),
            _c("engaged_at", "timestamp", "When the contact was first engaged."),
            IS_DELETED,
        ),
    ),
    Table(
        "crm_activities",
        "crm",
        "activity",
        "Visits, calls and emails logged by reps.",
        key=("activity_id",),
        soft_delete=True,
        event_time="activity_at",
        columns=(
            _key("activity_id", "Activity id (primary key)."),
            _c("rep_id", "id", "Rep who did the activity.", references="crm_sales_reps.rep_id"),
            _c("customer_id", "id", "Customer concerned.", references="crm_accounts.customer_id"),
            _c("opportunity_id", "id", "Opportunity concerned, if any.", references="crm_opportunities.opportunity_id"),
            _c("activity_type", "enum", "Kind of activity.", enum=ACTIVITY_TYPES),
            _c("activity_at", "timestamp", "When it happened."),
            _c("key_action", "enum", "Key sales action achieved, or none.", enum=KEY_ACTIONS),
            _c("duration_minutes", "int", "Duration in minutes.", min=0, max=DURATION_MAX),
            IS_DELETED,
        ),
    ),
    Table(
        "crm_follow_up_tasks",
        "crm",
        "task",
        "Follow-up tasks with a due time (SLA).",
        key=("task_id",),
        soft_delete=True,
        event_time="triggered_at",
        columns=(
            _key("task_id", "Task id (primary key)."),
            _c("rep_id", "id", "Rep responsible.", references="crm_sales_reps.rep_id"),
            _c("customer_id", "id", "Customer concerned.", references="crm_accounts.customer_id"),
            _c("trigger_type", "enum", "What triggered the follow-up.", enum=TRIGGER_TYPES),
            _c("triggered_at", "timestamp", "When the task was created."),
            _c("due_at", "timestamp", "When it had to be done."),
            _c("completed_at", "timestamp", "When it was done; empty if not done."),
            IS_DELETED,
        ),
    ),
    Table(
        "crm_service_tickets",
        "crm",
        "ticket",
        "Customer service tickets and complaints.",
        key=("ticket_id",),
        soft_delete=True,
        event_time="opened_at",
        columns=(
            _key("ticket_id", "Ticket id (primary key)."),
            _c("customer_id", "id", "Customer.", references="crm_accounts.customer_id"),
            _c("product_id", "id", "Product concerned, if any.", references="erp_products.product_id"),
            _c("rep_id", "id", "Rep responsible.", references="crm_sales_reps.rep_id"),
            _c("ticket_type", "enum", "Kind of ticket.", enum=TICKET_TYPES),
            _c("opened_at", "timestamp", "When it was opened."),
            _c("first_response_at", "timestamp", "First response; empty if none yet."),
            _c("resolved_at", "timestamp", "Resolution; empty if open."),
            _c("sla_first_response_hours", "number", "First-response SLA in hours.", min=0, max=DURATION_MAX),
            IS_DELETED,
        ),
    ),
    Table(
        "crm_surveys",
        "crm",
        "customer survey response",
        "NPS and satisfaction survey responses.",
        key=("survey_id",),
        soft_delete=True,
        event_time="surveyed_at",
        columns=(
            _key("survey_id", "Survey response id (primary key)."),
            _c("customer_id", "id", "Responding customer.", references="crm_accounts.customer_id"),
            _c("rep_id", "id", "Rep the survey is about.", references="crm_sales_reps.rep_id"),
            _c("surveyed_at", "timestamp", "When the response was given."),
            _c("nps_score", "int", "Likelihood to recommend, 0–10.", min=0, max=10),
            _c("csat_economic", "number", "Satisfaction with price and terms, 1–5.", min=1, max=5),
            _c("csat_relationship", "number", "Satisfaction with service and expertise, 1–5.", min=1, max=5),
            IS_DELETED,
        ),
    ),
    Table(
        "crm_referrals",
        "crm",
        "referral",
        "Referrals made by customers.",
        key=("referral_id",),
        soft_delete=True,
        event_time="referred_at",
        columns=(
            _key("referral_id", "Referral id (primary key)."),
            _c("referrer_customer_id", "id", "Customer who referred.", references="crm_accounts.customer_id"),
            _c("referred_lead_id", "id", "Lead created by the referral, if any.", references="crm_leads.lead_id"),
            _c(
                "referred_customer_id",
                "id",
                "Customer the referral became, if any.",
                references="crm_accounts.customer_id",
            ),
            _c("referred_at", "timestamp", "When the referral was made."),
            IS_DELETED,
        ),
    ),
    # ------------------------------------------------------------------ ERP
    Table(
        "erp_products",
        "erp",
        "product",
        "Product master with lifecycle stage and replacements.",
        key=("product_id",),
        required=True,
        columns=(
            _key("product_id", "Product id (primary key)."),
            _c("sku", "text", "Stock-keeping unit code."),
            _c("product_name", "text", "Product name."),
            _c("category", "text", "Product category (the market-size category)."),
            _c("product_line", "text", "Product line."),
            _c("launch_date", "date", "Launch date."),
            _c("lifecycle_stage", "enum", "Current lifecycle stage.", enum=LIFECYCLE_STAGES),
            _c("is_strategic", "bool", "Strategic product whose penetration is tracked."),
            _c(
                "replaces_product_id",
                "id",
                "Older product this one replaces, if any.",
                references="erp_products.product_id",
            ),
            _c("list_price", "money", "List price in the product currency.", min=0),
            _c("unit_cost", "money", "Current standard unit cost in the product currency.", min=0),
            CURRENCY,
        ),
    ),
    Table(
        "erp_sales_orders",
        "erp",
        "order",
        "Sales order headers.",
        key=("order_id",),
        required=True,
        soft_delete=True,
        event_time="order_date",
        columns=(
            _key("order_id", "Order id (primary key)."),
            _c("customer_id", "id", "Customer.", nullable=False, references="crm_accounts.customer_id"),
            _c("rep_id", "id", "Credited rep.", nullable=False, references="crm_sales_reps.rep_id"),
            _c("order_date", "date", "Order date.", nullable=False),
            _c("currency", "text", "ISO 4217 code of the order's amounts.", nullable=False),
            _c("channel", "enum", "Sales channel.", enum=CHANNELS),
            _c("status", "enum", "Order status; cancelled orders never count.", enum=ORDER_STATUSES),
            _c("contract_id", "id", "Contract the order belongs to, if any.", references="erp_contracts.contract_id"),
            _c(
                "order_type",
                "enum",
                "A sale, or a return (退货/红字): a return's lines carry positive quantities and reduce net sales "
                "and cost on the return's order date. Optional column; empty = sale.",
                enum=ORDER_TYPES,
                optional=True,
                default="sale",
            ),
            _c(
                "original_order_id",
                "id",
                "The order a return refers to, if given (it must exist).",
                references="erp_sales_orders.order_id",
                optional=True,
            ),
            IS_DELETED,
        ),
    ),
    Table(
        "erp_sales_order_lines",
        "erp",
        "order line",
        "Sales order lines with price, discount and cost.",
        key=("order_line_id",),
        required=True,
        soft_delete=True,
        columns=(
            _key("order_line_id", "Order line id (primary key)."),
            _c("order_id", "id", "Order.", nullable=False, references="erp_sales_orders.order_id"),
            _c("product_id", "id", "Product.", nullable=False, references="erp_products.product_id"),
            _c("quantity", "number", "Quantity sold.", nullable=False, min=0, max=QUANTITY_MAX),
            _c("unit_price", "money", "Unit price in the order currency.", nullable=False, min=0),
            _c("discount_amount", "money", "Discount on the line, in the order currency.", min=0),
            _c("unit_cost", "money", "Unit cost at the time of sale, in the order currency.", min=0),
            IS_DELETED,
        ),
    ),
    Table(
        "erp_invoices",
        "erp",
        "invoice",
        "Invoices (receivables).",
        key=("invoice_id",),
        event_time="invoice_date",
        columns=(
            _key("invoice_id", "Invoice id (primary key)."),
            _c("order_id", "id", "Order invoiced.", references="erp_sales_orders.order_id"),
            _c("customer_id", "id", "Customer invoiced.", references="crm_accounts.customer_id"),
            _c("invoice_date", "date", "Invoice date."),
            _c("due_date", "date", "Payment due date."),
            _c("amount", "money", "Invoice amount.", min=0),
            CURRENCY,
        ),
    ),
    Table(
        "erp_payments",
        "erp",
        "payment",
        "Payments received against invoices.",
        key=("payment_id",),
        event_time="payment_date",
        columns=(
            _key("payment_id", "Payment id (primary key)."),
            _c("invoice_id", "id", "Invoice paid.", references="erp_invoices.invoice_id"),
            _c("payment_date", "date", "Date received."),
            _c("amount", "money", "Amount received.", min=0),
            CURRENCY,
        ),
    ),
    Table(
        "erp_contracts",
        "erp",
        "contract",
        "One-off and subscription contracts, with renewals.",
        key=("contract_id",),
        event_time="signed_at",
        columns=(
            _key("contract_id", "Contract id (primary key)."),
            _c("customer_id", "id", "Customer.", references="crm_accounts.customer_id"),
            _c("rep_id", "id", "Rep who signed it.", references="crm_sales_reps.rep_id"),
            _c("contract_type", "enum", "One-off or subscription.", enum=CONTRACT_TYPES),
            _c("signed_at", "timestamp", "When signed."),
            _c("start_date", "date", "First day covered."),
            _c("end_date", "date", "Last day covered."),
            _c("contract_value", "money", "Total contract value.", min=0),
            CURRENCY,
            _c(
                "renewed_from_contract_id",
                "id",
                "Contract this one renews, if any.",
                references="erp_contracts.contract_id",
            ),
            _c("status", "enum", "Contract status.", enum=CONTRACT_STATUSES),
        ),
    ),
    Table(
        "erp_deliveries",
        "erp",
        "delivery obligation",
        "Delivery and installation obligations of orders.",
        key=("delivery_id",),
        event_time="promised_date",
        columns=(
            _key("delivery_id", "Delivery id (primary key)."),
            _c("contract_id", "id", "Contract, if any.", references="erp_contracts.contract_id"),
            _c("order_id", "id", "Order delivered.", references="erp_sales_orders.order_id"),
            _c("promised_date", "date", "Promised delivery date."),
            _c("delivered_date", "date", "Actual delivery date; empty if not delivered."),
            _c("delivered_in_full", "bool", "Everything ordered was delivered."),
            _c("requires_installation", "bool", "Needs installation and commissioning."),
            _c("install_promised_date", "date", "Promised installation date."),
            _c("installed_date", "date", "Actual installation date."),
        ),
    ),
    Table(
        "erp_customer_costs",
        "erp",
        "cost entry",
        "Acquisition, service and maintenance costs per customer.",
        key=("cost_id",),
        event_time="cost_date",
        columns=(
            _key("cost_id", "Cost entry id (primary key)."),
            _c("customer_id", "id", "Customer the cost is for.", references="crm_accounts.customer_id"),
            _c("rep_id", "id", "Rep who incurred it, if any.", references="crm_sales_reps.rep_id"),
            _c("cost_date", "date", "Date of the cost."),
            _c("cost_type", "enum", "Kind of cost.", enum=COST_TYPES),
            _c("amount", "money", "Amount.", min=0),
            CURRENCY,
        ),
    ),
    Table(
        "erp_expenses",
        "erp",
        "expense claim",
        "Reps' expense claims and their policy compliance.",
        key=("expense_id",),
        event_time="expense_date",
        columns=(
            _key("expense_id", "Expense claim id (primary key)."),
            _c("rep_id", "id", "Rep who claimed.", references="crm_sales_reps.rep_id"),
            _c("expense_date", "date", "Date of the expense."),
            _c("category", "enum", "Expense category.", enum=EXPENSE_CATEGORIES),
            _c("amount", "money", "Amount claimed.", min=0),
            CURRENCY,
            _c("approved", "bool", "Claim approved."),
            _c("policy_compliant", "bool", "Claim complies with the expense policy."),
        ),
    ),
    Table(
        "fx_rates",
        "erp",
        "currency × date",
        "Daily exchange rates to the base currency.",
        key=("currency", "rate_date"),
        columns=(
            _c("currency", "text", "ISO 4217 currency code.", nullable=False),
            _c("rate_date", "date", "Date of the rate.", nullable=False),
            _c("rate_to_base", "number", "Units of base currency for one unit of the currency.", min=0, max=1e6),
        ),
    ),
    # ------------------------------------------------------------------ planning
    Table(
        "plan_sales_targets",
        "plan",
        "entity × month",
        "Monthly targets per rep and per team.",
        key=("target_grain", "entity_id", "month"),
        columns=(
            _c(
                "target_grain", "enum", "Whether the target is a rep's or a team's.", nullable=False, enum=TARGET_GRAINS
            ),
            _c("entity_id", "id", "Rep id or team id.", nullable=False),
            _c("month", "date", "First day of the month.", nullable=False),
            _c("target_sales_amount", "money", "Sales target in the base currency.", min=0),
            _c("target_new_customers", "int", "New-customer target.", min=0, max=COUNT_MAX),
            _c("target_collection_rate", "number", "Collection-rate target (fraction).", min=0, max=1),
            _c("target_gross_margin_rate", "number", "Gross-margin-rate target (fraction).", min=-1, max=1),
        ),
    ),
    Table(
        "market_sizes",
        "plan",
        "region × category × year",
        "Yearly market size per region and category.",
        key=("region_code", "category", "year"),
        columns=(
            _c("region_code", "id", "Region.", nullable=False, references="crm_regions.region_code"),
            _c("category", "text", "Product category.", nullable=False),
            _c("year", "int", "Calendar year.", nullable=False, min=1900, max=2200),
            _c("market_size_amount", "money", "Market size in the base currency.", min=0, max=1e13),
        ),
    ),
    # ------------------------------------------------------------------ HR / enablement
    Table(
        "hr_skill_assessments",
        "hr",
        "assessment score",
        "Skill assessment scores by assessor type.",
        key=("assessment_id",),
        event_time="assessed_at",
        columns=(
            _key("assessment_id", "Assessment score id (primary key)."),
            _c("rep_id", "id", "Rep assessed.", references="crm_sales_reps.rep_id"),
            _c("assessed_at", "timestamp", "When assessed."),
            _c("skill", "enum", "Skill assessed.", enum=SKILLS),
            _c("assessor_type", "enum", "Who assessed.", enum=ASSESSOR_TYPES),
            _c("score", "number", "Score 0–100.", min=0, max=100),
        ),
    ),
    Table(
        "hr_trainings",
        "hr",
        "training completion",
        "Training enrolments, completions and exams.",
        key=("training_id",),
        event_time="started_at",
        columns=(
            _key("training_id", "Training record id (primary key)."),
            _c("rep_id", "id", "Rep trained.", references="crm_sales_reps.rep_id"),
            _c("course_id", "id", "Course."),
            _c("topic", "enum", "Course topic.", enum=TRAINING_TOPICS),
            _c("is_self_directed", "bool", "Self-directed learning rather than assigned."),
            _c("started_at", "timestamp", "When started."),
            _c("completed_at", "timestamp", "When completed; empty if not."),
            _c("hours", "number", "Learning hours.", min=0, max=DURATION_MAX),
            _c("exam_score", "number", "Exam score 0–100, if examined.", min=0, max=100),
            _c("passed", "bool", "Exam passed, if examined."),
        ),
    ),
    Table(
        "hr_knowledge_contributions",
        "hr",
        "contribution",
        "Knowledge-sharing contributions.",
        key=("contribution_id",),
        event_time="contributed_at",
        columns=(
            _key("contribution_id", "Contribution id (primary key)."),
            _c("rep_id", "id", "Contributing rep.", references="crm_sales_reps.rep_id"),
            _c("contributed_at", "timestamp", "When contributed."),
            _c("contribution_type", "enum", "Kind of contribution.", enum=CONTRIBUTION_TYPES),
            _c("accepted", "bool", "Accepted into the knowledge base."),
            _c("citation_count", "int", "Times cited by colleagues.", min=0, max=COUNT_MAX),
            _c("instructor_hours", "number", "Hours taught as an internal instructor.", min=0, max=DURATION_MAX),
        ),
    ),
    Table(
        "hr_insight_reports",
        "hr",
        "market-insight report",
        "Market and competitor insight reports.",
        key=("report_id",),
        event_time="submitted_at",
        columns=(
            _key("report_id", "Report id (primary key)."),
            _c("rep_id", "id", "Author.", references="crm_sales_reps.rep_id"),
            _c("submitted_at", "timestamp", "When submitted."),
            _c("report_type", "enum", "Kind of report.", enum=REPORT_TYPES),
            _c("quality_score", "number", "Quality score 0–100.", min=0, max=100),
        ),
    ),
    Table(
        "hr_collaboration_surveys",
        "hr",
        "internal survey response",
        "Other departments rating a sales team (and optionally a rep) on collaboration.",
        key=("response_id",),
        event_time="surveyed_at",
        columns=(
            _key("response_id", "Response id (primary key)."),
            _c("rated_team_id", "id", "Team rated.", references="crm_teams.team_id"),
            _c("rated_rep_id", "id", "Rep rated, if any.", references="crm_sales_reps.rep_id"),
            _c("respondent_department", "enum", "Department answering.", enum=DEPARTMENTS),
            _c("surveyed_at", "timestamp", "When answered."),
            _c("responsiveness", "number", "Responsiveness 1–5.", min=1, max=5),
            _c("cooperation_quality", "number", "Cooperation quality 1–5.", min=1, max=5),
            _c("problem_resolution", "number", "Problem resolution 1–5.", min=1, max=5),
        ),
    ),
    Table(
        "hr_cross_dept_requests",
        "hr",
        "support request",
        "Requests between sales and other departments.",
        key=("request_id",),
        event_time="requested_at",
        columns=(
            _key("request_id", "Request id (primary key)."),
            _c("rep_id", "id", "Sales rep responsible.", references="crm_sales_reps.rep_id"),
            _c("team_id", "id", "Sales team.", references="crm_teams.team_id"),
            _c("requesting_department", "enum", "Department the request is with.", enum=DEPARTMENTS),
            _c("request_type", "enum", "Kind of request.", enum=REQUEST_TYPES),
            _c("requested_at", "timestamp", "When requested."),
            _c("due_at", "timestamp", "When due."),
            _c("completed_at", "timestamp", "When completed; empty if not."),
            _c("adopted", "bool", "The other department adopted the feedback; empty = no decision yet."),
        ),
    ),
    Table(
        "hr_compliance_checks",
        "hr",
        "audit check",
        "Sales-process compliance audit checks.",
        key=("check_id",),
        event_time="checked_at",
        columns=(
            _key("check_id", "Check id (primary key)."),
            _c("rep_id", "id", "Rep checked.", references="crm_sales_reps.rep_id"),
            _c("checked_at", "timestamp", "When checked."),
            _c("process_area", "enum", "Process audited.", enum=PROCESS_AREAS),
            _c("passed", "bool", "Check passed."),
            _c("score", "number", "Score 0–100.", min=0, max=100),
            _c("is_veto", "bool", "High-risk violation that vetoes the period's score."),
        ),
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
REQUIRED_TABLES: tuple[str, ...] = tuple(t.name for t in TABLES if t.required)
CURRENCIES: tuple[str, ...] = ("CNY", "USD", "EUR", "HKD")


def foreign_keys() -> list[tuple[str, str, str, str]]:
    """(table, column, referenced table, referenced column) for every foreign key."""
    out = []
    for t in TABLES:
        for c in t.columns:
            if c.references:
                rt, rc = c.references.split(".")
                out.append((t.name, c.name, rt, rc))
    return out


__all__ = [
    "Column",
    "Table",
    "TABLES",
    "TABLES_BY_NAME",
    "REQUIRED_TABLES",
    "CURRENCIES",
    "foreign_keys",
]
