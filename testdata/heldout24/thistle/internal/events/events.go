// Package events defines the messages exchanged over the fulfilment queue.
package events

import (
	"encoding/json"
	"fmt"
	"time"
)

// OrderPlaced is emitted when a weekly box is charged.
type OrderPlaced struct {
	OrderID    string    `json:"order_id"`
	CustomerID string    `json:"customer_id"`
	Week       string    `json:"week"`
	WindowID   string    `json:"window_id"`
	Zone       int       `json:"zone"`
	RecipeIDs  []string  `json:"recipe_ids"`
	TotalCents int       `json:"total_cents"`
	PromoCode  string    `json:"promo_code,omitempty"`
	At         time.Time `json:"at"`
}

// BoxSkipped is emitted when a customer skips a week.
type BoxSkipped struct {
	CustomerID string `json:"customer_id"`
	Week       string `json:"week"`
}

// OrderCancelled is emitted when support cancels an order.
type OrderCancelled struct {
	OrderID  string `json:"order_id"`
	WindowID string `json:"window_id"`
	Zone     int    `json:"zone"`
}

// MenuPublished is emitted by the kitchen when a week's menu is final.
type MenuPublished struct {
	Week      string   `json:"week"`
	RecipeIDs []string `json:"recipe_ids"`
}

// RecipeChanged is emitted when the kitchen edits a recipe.
type RecipeChanged struct {
	RecipeID string `json:"recipe_id"`
}

// PasswordChanged is emitted by the account service.
type PasswordChanged struct {
	CustomerID string   `json:"customer_id"`
	SessionIDs []string `json:"session_ids"`
}

type envelope struct {
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// Decode parses one queue message body into its concrete type.
func Decode(body []byte) (any, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	var msg any
	switch env.Type {
	case "order.placed":
		msg = new(OrderPlaced)
	case "box.skipped":
		msg = new(BoxSkipped)
	case "order.cancelled":
		msg = new(OrderCancelled)
	case "menu.published":
		msg = new(MenuPublished)
	case "recipe.changed":
		msg = new(RecipeChanged)
	case "account.password_changed":
		msg = new(PasswordChanged)
	default:
		return nil, fmt.Errorf("events: unknown type %q", env.Type)
	}
	if err := json.Unmarshal(env.Payload, msg); err != nil {
		return nil, fmt.Errorf("events: %s: %w", env.Type, err)
	}
	return msg, nil
}

// Encode wraps a message in its envelope.
func Encode(msg any) ([]byte, error) {
	var typ string
	switch msg.(type) {
	case *OrderPlaced:
		typ = "order.placed"
	case *BoxSkipped:
		typ = "box.skipped"
	case *OrderCancelled:
		typ = "order.cancelled"
	case *MenuPublished:
		typ = "menu.published"
	case *RecipeChanged:
		typ = "recipe.changed"
	case *PasswordChanged:
		typ = "account.password_changed"
	default:
		return nil, fmt.Errorf("events: cannot encode %T", msg)
	}
	payload, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	return json.Marshal(envelope{Type: typ, Payload: payload})
}
