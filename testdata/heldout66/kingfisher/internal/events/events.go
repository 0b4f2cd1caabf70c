// Package events holds the topics and payloads exchanged on Kingfisher's
// message bus.
package events

import "time"

// Topics.
const (
	TopicOrderPlaced       = "orders.placed"
	TopicOrderAmended      = "orders.amended"
	TopicOrderStatus       = "orders.status_changed"
	TopicPaymentFailed     = "payments.failed"
	TopicCustomerLoggedOut = "customers.logged_out"
	TopicPasswordChanged   = "customers.password_changed"
	TopicPrefsChanged      = "customers.preferences_changed"
	TopicNotifyRequested   = "notify.requested"
	TopicPoison            = "orders.poison"
)

// Metadata keys carried on messages.
const (
	MetaCustomerID = "customer_id"
	MetaSource     = "source"
	MetaEventID    = "event_id"
)

// Line is one order line.
type Line struct {
	SKU        string `json:"sku"`
	Qty        int    `json:"qty"`
	PriceCents int64  `json:"price_cents"`
}

// OrderPlaced is published by checkout.
type OrderPlaced struct {
	OrderID    string    `json:"order_id"`
	CustomerID string    `json:"customer_id"`
	Email      string    `json:"email"`
	Lines      []Line    `json:"lines"`
	Currency   string    `json:"currency"`
	PlacedAt   time.Time `json:"placed_at"`
}

// LineChange is one change in an amendment.
type LineChange struct {
	SKU   string `json:"sku"`
	Delta int    `json:"delta"`
}

// OrderAmended is published when support edits an order.
type OrderAmended struct {
	OrderID string       `json:"order_id"`
	Changes []LineChange `json:"changes"`
	By      string       `json:"by"`
}

// OrderStatusChanged is published by fulfilment and payments.
type OrderStatusChanged struct {
	OrderID    string    `json:"order_id"`
	CustomerID string    `json:"customer_id"`
	Status     string    `json:"status"`
	Reason     string    `json:"reason,omitempty"`
	At         time.Time `json:"at"`
}

// Terminal reports whether no further status changes follow.
func (e OrderStatusChanged) Terminal() bool {
	switch e.Status {
	case "delivered", "cancelled", "refunded":
		return true
	}
	return false
}

// PaymentFailed is published by the payment webhook receiver.
type PaymentFailed struct {
	OrderID    string    `json:"order_id"`
	CustomerID string    `json:"customer_id"`
	Code       string    `json:"code"`
	At         time.Time `json:"at"`
}

// CustomerLoggedOut is published by the portal.
type CustomerLoggedOut struct {
	CustomerID string `json:"customer_id"`
	SessionID  string `json:"session_id"`
}

// PasswordChanged is published by the identity service.
type PasswordChanged struct {
	CustomerID string    `json:"customer_id"`
	TokenIDs   []string  `json:"token_ids"`
	At         time.Time `json:"at"`
}

// PreferencesChanged is published by the portal's settings page.
type PreferencesChanged struct {
	CustomerID string `json:"customer_id"`
	Channel    string `json:"channel"`
	Enabled    bool   `json:"enabled"`
	Digest     *bool  `json:"digest,omitempty"`
}

// NotifyRequested asks the notification workers to tell a customer
// something about an order.
type NotifyRequested struct {
	CustomerID string            `json:"customer_id"`
	OrderID    string            `json:"order_id"`
	Template   string            `json:"template"`
	Params     map[string]string `json:"params,omitempty"`
	Channels   []string          `json:"channels"`
}
