package orders

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/kingfisher-ops/kingfisher/internal/events"
)

const (
	orderStateTTL = 30 * 24 * time.Hour
	magicLinkTTL  = 7 * 24 * time.Hour
	poisonTTL     = 14 * 24 * time.Hour
)

// StatusEntry is one step in an order's history.
type StatusEntry struct {
	Status string    `json:"status"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
	MsgID  string    `json:"msg_id"`
}

// OrderState is the edge-readable projection of an order that the portal
// Worker serves from KV.
type OrderState struct {
	OrderID    string        `json:"order_id"`
	CustomerID string        `json:"customer_id"`
	Status     string        `json:"status"`
	Lines      []events.Line `json:"lines"`
	TotalCents int64         `json:"total_cents"`
	Currency   string        `json:"currency"`
	History    []StatusEntry `json:"history"`
	UpdatedAt  time.Time     `json:"updated_at"`
}

func (s *OrderState) recompute() {
	var total int64
	for _, l := range s.Lines {
		total += l.PriceCents * int64(l.Qty)
	}
	s.TotalCents = total
}

// MagicLink lets a guest open their order without signing in.
type MagicLink struct {
	OrderID    string    `json:"order_id"`
	CustomerID string    `json:"customer_id"`
	IssuedAt   time.Time `json:"issued_at"`
}

func orderKey(id string) string            { return "order:" + id }
func inflightKey(id string) string         { return "order:" + id + ":inflight" }
func lineKey(id, sku string) string        { return fmt.Sprintf("order:%s:line:%s", id, sku) }
func paymentAttemptsKey(id string) string  { return "order:" + id + ":payment-attempts" }
func openOrdersKey(customer string) string { return "customer:" + customer + ":open-orders" }
func sessionPrefix(customer string) string { return "session:" + customer + ":" }
func sessionKey(customer, sid string) string {
	return sessionPrefix(customer) + sid
}
func revokedKey(jti string) string     { return "revoked:" + jti }
func magicKey(token string) string     { return "magic:" + token }
func poisonKey(uuid string) string     { return "poison:" + uuid }
func dailyOrdersKey(day string) string { return "stats:orders-count:" + day }

func newToken() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}
