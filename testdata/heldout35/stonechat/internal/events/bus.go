// Package events is the in-process event bus: domain code emits events by
// name and subscribers registered at start-up react to them.
package events

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"stonechat/internal/ids"
)

// Event is anything that can be published.
type Event interface{ Name() string }

// Handler reacts to one event.
type Handler func(ctx context.Context, e Event) error

// LoginEvent is emitted after a successful portal login.
type LoginEvent struct {
	Customer  ids.CustomerID
	SessionID string
	At        time.Time
}

// LogoutEvent is emitted when a user signs out of the portal.
type LogoutEvent struct {
	Customer  ids.CustomerID
	SessionID string
}

// PasswordChanged is emitted after a password reset.
type PasswordChanged struct{ Customer ids.CustomerID }

// OrgSwitched is emitted when a user switches the active billing entity.
type OrgSwitched struct {
	Customer  ids.CustomerID
	SessionID string
	OrgID     string
}

// InvoicePaid is emitted when a payment settles an invoice.
type InvoicePaid struct {
	Invoice  ids.InvoiceID
	Customer ids.CustomerID
	Amount   int64
	PaidAt   time.Time
}

// InvoiceViewed is emitted when the customer opens an invoice in the portal.
type InvoiceViewed struct {
	Invoice  ids.InvoiceID
	Customer ids.CustomerID
}

func (LoginEvent) Name() string      { return "user.login" }
func (LogoutEvent) Name() string     { return "user.logout" }
func (PasswordChanged) Name() string { return "user.password_changed" }
func (OrgSwitched) Name() string     { return "user.org_switched" }
func (InvoicePaid) Name() string     { return "invoice.paid" }
func (InvoiceViewed) Name() string   { return "invoice.viewed" }

// Bus dispatches events to subscribers by name.
type Bus struct {
	mu   sync.RWMutex
	subs map[string][]Handler
	log  *slog.Logger
}

// NewBus returns an empty bus.
func NewBus(log *slog.Logger) *Bus {
	return &Bus{subs: map[string][]Handler{}, log: log}
}

// On subscribes h to events called name.
func (b *Bus) On(name string, h Handler) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs[name] = append(b.subs[name], h)
}

// Emit calls every subscriber of e synchronously and joins their errors.
func (b *Bus) Emit(ctx context.Context, e Event) error {
	b.mu.RLock()
	hs := append([]Handler(nil), b.subs[e.Name()]...)
	b.mu.RUnlock()
	var errs []error
	for _, h := range hs {
		if err := h(ctx, e); err != nil {
			b.log.Warn("subscriber failed", "event", e.Name(), "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Publish is Emit in the background, for callers that must not wait.
func (b *Bus) Publish(e Event) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = b.Emit(ctx, e)
	}()
}
