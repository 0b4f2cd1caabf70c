package domain

import (
	"encoding/json"
	"fmt"
	"time"
)

// Event is anything published on the tenant event queue.
type Event interface {
	Tenant() string
	OccurredAt() time.Time
}

type base struct {
	TenantID string    `json:"tenant_id"`
	At       time.Time `json:"at"`
}

func (b base) Tenant() string        { return b.TenantID }
func (b base) OccurredAt() time.Time { return b.At }

// ExpenseSubmitted is published when an employee submits a claim.
type ExpenseSubmitted struct {
	base
	ExpenseID   string `json:"expense_id"`
	AmountCents int64  `json:"amount_cents"`
}

// ExpenseDecided is published when an approver records a decision.
type ExpenseDecided struct {
	base
	ExpenseID  string   `json:"expense_id"`
	WorkflowID string   `json:"workflow_id"`
	ApproverID string   `json:"approver_id"`
	Decision   Decision `json:"decision"`
}

// InvoiceIssued is published when an invoice number is assigned.
type InvoiceIssued struct {
	base
	InvoiceID string `json:"invoice_id"`
	Number    string `json:"number"`
}

// InvoiceSent is published after the invoice e-mail is accepted.
type InvoiceSent struct {
	base
	InvoiceID string `json:"invoice_id"`
	Recipient string `json:"recipient"`
}

// ExportRequested asks the export worker to build a report.
type ExportRequested struct {
	base
	ExportID string     `json:"export_id"`
	Kind     ExportKind `json:"kind"`
}

// ConfigChanged tells caches that a tenant's config moved to Version.
type ConfigChanged struct {
	base
	Version int `json:"version"`
}

type envelope struct {
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// DecodeEvent turns a queue message body into a concrete event.
func DecodeEvent(body []byte) (Event, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("decode envelope: %w", err)
	}
	var ev Event
	switch env.Type {
	case "expense.submitted":
		ev = new(ExpenseSubmitted)
	case "expense.decided":
		ev = new(ExpenseDecided)
	case "invoice.issued":
		ev = new(InvoiceIssued)
	case "invoice.sent":
		ev = new(InvoiceSent)
	case "export.requested":
		ev = new(ExportRequested)
	case "config.changed":
		ev = new(ConfigChanged)
	default:
		return nil, fmt.Errorf("unknown event type %q", env.Type)
	}
	if err := json.Unmarshal(env.Payload, ev); err != nil {
		return nil, fmt.Errorf("decode %s: %w", env.Type, err)
	}
	return ev, nil
}

// EncodeEvent wraps ev in the queue envelope.
func EncodeEvent(ev Event) ([]byte, error) {
	var typ string
	switch ev.(type) {
	case *ExpenseSubmitted:
		typ = "expense.submitted"
	case *ExpenseDecided:
		typ = "expense.decided"
	case *InvoiceIssued:
		typ = "invoice.issued"
	case *InvoiceSent:
		typ = "invoice.sent"
	case *ExportRequested:
		typ = "export.requested"
	case *ConfigChanged:
		typ = "config.changed"
	default:
		return nil, fmt.Errorf("unsupported event %T", ev)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	return json.Marshal(envelope{Type: typ, Payload: payload})
}
