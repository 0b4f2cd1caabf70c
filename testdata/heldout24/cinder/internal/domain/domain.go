// Package domain holds the expense-approval and invoicing model.
package domain

import (
	"time"
)

// Plan is a tenant's subscription tier.
type Plan int

const (
	PlanFree Plan = iota
	PlanTeam
	PlanEnterprise
)

// Tenant is a customer organisation.
type Tenant struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Slug      string    `json:"slug"`
	Plan      Plan      `json:"plan"`
	CreatedAt time.Time `json:"created_at"`
}

func (t Tenant) StorageKey() string { return "tenant:" + t.ID }

// ExpenseStatus tracks an expense through approval.
type ExpenseStatus string

const (
	StatusExpenseSubmitted ExpenseStatus = "submitted"
)

// Expense is one claim submitted by an employee.
type Expense struct {
	ID          string        `json:"id"`
	TenantID    string        `json:"tenant_id"`
	SubmitterID string        `json:"submitter_id"`
	AmountCents int64         `json:"amount_cents"`
	Currency    string        `json:"currency"`
	Category    string        `json:"category"`
	Status      ExpenseStatus `json:"status"`
	SubmittedAt time.Time     `json:"submitted_at"`
}

func (e Expense) StorageKey() string { return "expense:" + e.TenantID + ":" + e.ID }

// Decision is an approver's verdict on a step.
type Decision string

const (
	DecisionPending  Decision = "pending"
	DecisionApproved Decision = "approved"
	DecisionRejected Decision = "rejected"
)

// Step is one approver's slot in a workflow.
type Step struct {
	ApproverID string    `json:"approver_id"`
	Decision   Decision  `json:"decision"`
	Comment    string    `json:"comment,omitempty"`
	DecidedAt  time.Time `json:"decided_at,omitempty"`
}

// Workflow is the approval chain attached to one expense.
type Workflow struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"tenant_id"`
	ExpenseID string    `json:"expense_id"`
	Steps     []Step    `json:"steps"`
	Current   int       `json:"current"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (w Workflow) StorageKey() string { return "workflow:" + w.TenantID + ":" + w.ID }

// Done reports whether every step has a decision.
func (w Workflow) Done() bool { return w.Current >= len(w.Steps) }

// InvoiceStatus tracks an invoice's lifecycle.
type InvoiceStatus string

const (
	StatusInvoiceSent InvoiceStatus = "sent"
	StatusInvoicePaid InvoiceStatus = "paid"
)

// Invoice is a bill issued by a tenant to one of its customers.
type Invoice struct {
	ID         string        `json:"id"`
	TenantID   string        `json:"tenant_id"`
	Number     string        `json:"number"`
	CustomerID string        `json:"customer_id"`
	TotalCents int64         `json:"total_cents"`
	Currency   string        `json:"currency"`
	Status     InvoiceStatus `json:"status"`
	IssuedAt   time.Time     `json:"issued_at"`
	DueAt      time.Time     `json:"due_at"`
}

func (i Invoice) StorageKey() string { return "invoice:" + i.TenantID + ":" + i.ID }

// APIKey is a credential a tenant uses for machine access.
type APIKey struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"tenant_id"`
	Label     string    `json:"label"`
	Hash      string    `json:"hash"`
	Scopes    []string  `json:"scopes"`
	CreatedAt time.Time `json:"created_at"`
}

func (k APIKey) StorageKey() string { return "api-token:" + k.Hash }

// Session is a signed-in browser session.
type Session struct {
	ID           string    `json:"id"`
	UserID       string    `json:"user_id"`
	TenantID     string    `json:"tenant_id"`
	ActiveTenant string    `json:"active_tenant,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	LastSeen     time.Time `json:"last_seen"`
	ExpiresAt    time.Time `json:"expires_at"`
}

func (s Session) StorageKey() string { return "session:" + s.ID }

// VerificationCode is an e-mail ownership challenge.
type VerificationCode struct {
	Email     string    `json:"email"`
	CodeHash  string    `json:"code_hash"`
	Purpose   string    `json:"purpose"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ExportKind names a report export format.
type ExportKind string

// ReportExport is a generated report that users download for a while.
type ReportExport struct {
	ID        string     `json:"id"`
	TenantID  string     `json:"tenant_id"`
	Kind      ExportKind `json:"kind"`
	URL       string     `json:"url"`
	Rows      int        `json:"rows"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
}

func (r ReportExport) StorageKey() string { return "export:" + r.TenantID + ":" + r.ID }

// TenantConfig is the per-tenant policy document.
type TenantConfig struct {
	TenantID               string            `json:"tenant_id"`
	Currency               string            `json:"currency"`
	ApprovalThresholdCents int64             `json:"approval_threshold_cents"`
	Approvers              []string          `json:"approvers"`
	FiscalYearStartMonth   int               `json:"fiscal_year_start_month"`
	InvoicePrefix          string            `json:"invoice_prefix"`
	Features               map[string]bool   `json:"features,omitempty"`
	Labels                 map[string]string `json:"labels,omitempty"`
	Version                int               `json:"version"`
}

func (c TenantConfig) StorageKey() string { return "tenantcfg:" + c.TenantID }
