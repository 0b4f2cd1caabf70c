// Package events defines garnet's domain events. Each event dispatches itself
// to a Visitor, so a subscriber handles only the events it cares about.
package events

import "time"

// Visitor receives events by type. Embed Ignore to handle a subset.
type Visitor interface {
	VisitLogin(LoginSucceeded) error
	VisitLogout(*LoggedOut) error
	VisitPasswordChanged(PasswordChanged) error
	VisitInvoiceIssued(InvoiceIssued) error
	VisitPaymentReceived(*PaymentReceived) error
	VisitDeliveryFailed(DeliveryFailed) error
}

// Event is anything published on the bus.
type Event interface {
	Topic() string
	Apply(v Visitor) error
}

// Ignore is a Visitor that does nothing.
type Ignore struct{}

func (Ignore) VisitLogin(LoginSucceeded) error             { return nil }
func (Ignore) VisitLogout(*LoggedOut) error                { return nil }
func (Ignore) VisitPasswordChanged(PasswordChanged) error  { return nil }
func (Ignore) VisitInvoiceIssued(InvoiceIssued) error      { return nil }
func (Ignore) VisitPaymentReceived(*PaymentReceived) error { return nil }
func (Ignore) VisitDeliveryFailed(DeliveryFailed) error    { return nil }

// LoginSucceeded is published after SSO or password login.
type LoginSucceeded struct {
	TenantID  string
	UserID    string
	Email     string
	SessionID string
	IP        string
	At        time.Time
}

func (LoginSucceeded) Topic() string           { return "auth.login" }
func (e LoginSucceeded) Apply(v Visitor) error { return v.VisitLogin(e) }

// LoggedOut is published when a user signs out.
type LoggedOut struct {
	TenantID  string
	UserID    string
	SessionID string
}

func (*LoggedOut) Topic() string           { return "auth.logout" }
func (e *LoggedOut) Apply(v Visitor) error { return v.VisitLogout(e) }

// PasswordChanged is published after a password change or reset.
type PasswordChanged struct {
	TenantID string
	UserID   string
}

func (PasswordChanged) Topic() string           { return "auth.password" }
func (e PasswordChanged) Apply(v Visitor) error { return v.VisitPasswordChanged(e) }

// InvoiceIssued is published when an invoice gets its number.
type InvoiceIssued struct {
	TenantID   string
	CustomerID string
	InvoiceID  string
	Number     string
	AmountCent int64
	Currency   string
	DueAt      time.Time
}

func (InvoiceIssued) Topic() string           { return "invoice.issued" }
func (e InvoiceIssued) Apply(v Visitor) error { return v.VisitInvoiceIssued(e) }

// PaymentReceived is published when a payment link is paid.
type PaymentReceived struct {
	TenantID   string
	InvoiceID  string
	LinkToken  string
	AmountCent int64
	Currency   string
	At         time.Time
}

func (*PaymentReceived) Topic() string           { return "payment.received" }
func (e *PaymentReceived) Apply(v Visitor) error { return v.VisitPaymentReceived(e) }

// DeliveryFailed is published when a webhook delivery attempt fails.
type DeliveryFailed struct {
	TenantID   string
	DeliveryID string
	Endpoint   string
	Attempt    int
	Status     int
}

func (DeliveryFailed) Topic() string           { return "webhook.failed" }
func (e DeliveryFailed) Apply(v Visitor) error { return v.VisitDeliveryFailed(e) }
