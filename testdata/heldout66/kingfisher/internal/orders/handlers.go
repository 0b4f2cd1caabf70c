// Package orders holds the order-event handlers that the orderd router runs.
// They keep the edge-readable projection of each order in KV.
package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/kingfisher-ops/kingfisher/internal/events"
	"github.com/kingfisher-ops/kingfisher/internal/kvstore"
	"github.com/kingfisher-ops/kingfisher/internal/prefs"
)

// maxPaymentAttempts is how many declined payments cancel an order.
const maxPaymentAttempts = 3

// Handlers are the order router's message handlers.
type Handlers struct {
	store *kvstore.Store
	prefs *prefs.Service
	stats *DailyStats
	log   *slog.Logger
}

// NewHandlers returns the handlers.
func NewHandlers(store *kvstore.Store, p *prefs.Service, stats *DailyStats, log *slog.Logger) *Handlers {
	return &Handlers{store: store, prefs: p, stats: stats, log: log}
}

func decode[T any](msg *message.Message) (T, error) {
	var v T
	if err := json.Unmarshal(msg.Payload, &v); err != nil {
		return v, fmt.Errorf("message %s: %w", msg.UUID, err)
	}
	return v, nil
}

// OrderPlaced stores the new order's projection and asks for a confirmation.
func (h *Handlers) OrderPlaced(msg *message.Message) ([]*message.Message, error) {
	ev, err := decode[events.OrderPlaced](msg)
	if err != nil {
		return nil, err
	}
	ctx := msg.Context()

	// Tells the status handler that setup is still running for this order.
	if err := h.store.Put(ctx, inflightKey(ev.OrderID), []byte(msg.UUID), 30*time.Second); err != nil { // EXPECT kvttl
		return nil, err
	}

	st := OrderState{
		OrderID:    ev.OrderID,
		CustomerID: ev.CustomerID,
		Status:     "placed",
		Lines:      ev.Lines,
		Currency:   ev.Currency,
		History:    []StatusEntry{{Status: "placed", At: ev.PlacedAt, MsgID: msg.UUID}},
		UpdatedAt:  time.Now().UTC(),
	}
	st.recompute()
	if err := h.store.PutJSON(ctx, orderKey(ev.OrderID), st, orderStateTTL); err != nil {
		return nil, err
	}
	for _, l := range ev.Lines {
		if err := h.store.PutJSON(ctx, lineKey(ev.OrderID, l.SKU), l, orderStateTTL); err != nil {
			return nil, err
		}
	}
	if err := h.trackOpenOrder(ctx, ev.CustomerID, ev.OrderID, true); err != nil {
		return nil, err
	}
	if err := h.store.Put(ctx, "orders:latest-placed", []byte(ev.OrderID), 0); err != nil { // DEBATABLE kvhotkey
		h.log.WarnContext(ctx, "latest-placed marker", "err", err)
	}
	h.stats.Inc()

	token := newToken()
	link := MagicLink{OrderID: ev.OrderID, CustomerID: ev.CustomerID, IssuedAt: time.Now().UTC()}
	if err := h.store.PutJSON(ctx, magicKey(token), link, magicLinkTTL); err != nil {
		return nil, err
	}

	out, err := json.Marshal(events.NotifyRequested{
		CustomerID: ev.CustomerID,
		OrderID:    ev.OrderID,
		Template:   "order_confirmation",
		Params:     map[string]string{"magic_link": token},
		Channels:   []string{"email"},
	})
	if err != nil {
		return nil, err
	}
	next := message.NewMessage(watermill.NewUUID(), out)
	next.Metadata.Set(events.MetaCustomerID, ev.CustomerID)
	middleware.SetCorrelationID(middleware.MessageCorrelationID(msg), next)
	return []*message.Message{next}, nil
}

// OrderAmended applies support's line changes to the projection.
func (h *Handlers) OrderAmended(msg *message.Message) error {
	ev, err := decode[events.OrderAmended](msg)
	if err != nil {
		return err
	}
	ctx := msg.Context()
	var st OrderState
	if err := h.store.GetJSON(ctx, orderKey(ev.OrderID), &st); err != nil {
		return err
	}
	// Persist after each change so a crash halfway leaves the applied part
	// visible in the portal.
	for _, c := range ev.Changes {
		i := slices.IndexFunc(st.Lines, func(l events.Line) bool { return l.SKU == c.SKU })
		if i < 0 {
			h.log.WarnContext(ctx, "amendment for unknown line", "order", ev.OrderID, "sku", c.SKU)
			continue
		}
		st.Lines[i].Qty = max(st.Lines[i].Qty+c.Delta, 0)
		st.recompute()
		st.UpdatedAt = time.Now().UTC()
		if err := h.store.PutJSON(ctx, orderKey(ev.OrderID), st, orderStateTTL); err != nil { // EXPECT kvhotkey|kvrace
			return err
		}
	}
	return nil
}

// StatusChanged appends to the order's history.
func (h *Handlers) StatusChanged(msg *message.Message) error {
	ev, err := decode[events.OrderStatusChanged](msg)
	if err != nil {
		return err
	}
	ctx := msg.Context()

	var st OrderState
	if err := h.store.GetJSON(ctx, orderKey(ev.OrderID), &st); err != nil { // EXPECT kvnull
		st = OrderState{OrderID: ev.OrderID, CustomerID: ev.CustomerID}
	}
	st.Status = ev.Status
	st.History = append(st.History, StatusEntry{Status: ev.Status, Reason: ev.Reason, At: ev.At, MsgID: msg.UUID})
	st.UpdatedAt = time.Now().UTC()
	if err := h.store.PutJSON(ctx, orderKey(ev.OrderID), st, orderStateTTL); err != nil { // EXPECT kvrace
		return err
	}

	if ev.Terminal() {
		return h.trackOpenOrder(ctx, ev.CustomerID, ev.OrderID, false)
	}
	return nil
}

// trackOpenOrder adds or removes orderID in the customer's open-order list
// that the portal shows on its landing page.
func (h *Handlers) trackOpenOrder(ctx context.Context, customerID, orderID string, open bool) error {
	key := openOrdersKey(customerID)
	var ids []string
	if err := h.store.GetJSON(ctx, key, &ids); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if open {
		if !slices.Contains(ids, orderID) {
			ids = append(ids, orderID)
		}
	} else {
		ids = slices.DeleteFunc(ids, func(id string) bool { return id == orderID })
	}
	return h.store.PutJSON(ctx, key, ids, 0) // EXPECT kvrace
}

// PaymentFailed counts declines and cancels the order after the third.
func (h *Handlers) PaymentFailed(msg *message.Message) ([]*message.Message, error) {
	ev, err := decode[events.PaymentFailed](msg)
	if err != nil {
		return nil, err
	}
	ctx := msg.Context()
	key := paymentAttemptsKey(ev.OrderID)

	attempts := 0
	raw, found, err := h.store.Lookup(ctx, key)
	if err != nil {
		return nil, err
	}
	if found {
		if attempts, err = strconv.Atoi(string(raw)); err != nil {
			return nil, fmt.Errorf("attempts for %s: %w", ev.OrderID, err)
		}
	}
	attempts++
	if err := h.store.Put(ctx, key, []byte(strconv.Itoa(attempts)), 7*24*time.Hour); err != nil { // EXPECT kvcounter|kvrace
		return nil, err
	}
	if attempts < maxPaymentAttempts {
		return nil, nil
	}

	payload, err := json.Marshal(events.OrderStatusChanged{
		OrderID:    ev.OrderID,
		CustomerID: ev.CustomerID,
		Status:     "cancelled",
		Reason:     "payment declined " + strconv.Itoa(attempts) + " times (" + ev.Code + ")",
		At:         time.Now().UTC(),
	})
	if err != nil {
		return nil, err
	}
	cancel := message.NewMessage(watermill.NewUUID(), payload)
	middleware.SetCorrelationID(middleware.MessageCorrelationID(msg), cancel)
	return message.Messages{cancel}, nil
}

// CustomerLoggedOut ends the portal session.
func (h *Handlers) CustomerLoggedOut(msg *message.Message) error {
	ev, err := decode[events.CustomerLoggedOut](msg)
	if err != nil {
		return err
	}
	return h.store.Delete(msg.Context(), sessionKey(ev.CustomerID, ev.SessionID)) // EXPECT kvsession
}

// maxSessionPages bounds how many pages of sessions one password change
// walks; customers rarely have more than a handful.
const maxSessionPages = 5

// PasswordChanged signs the customer out everywhere and revokes their API
// tokens.
func (h *Handlers) PasswordChanged(msg *message.Message) error {
	ev, err := decode[events.PasswordChanged](msg)
	if err != nil {
		return err
	}
	ctx := msg.Context()

	cursor := ""
	for range maxSessionPages {
		page, err := h.store.ListPage(ctx, sessionPrefix(ev.CustomerID), cursor, 100)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			if err := h.store.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
				return err
			}
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}

	var errs []error
	for _, jti := range ev.TokenIDs {
		rec, _ := json.Marshal(map[string]any{"customer_id": ev.CustomerID, "revoked_at": ev.At})
		errs = append(errs, h.store.Put(ctx, revokedKey(jti), rec, 90*24*time.Hour)) // EXPECT kvsession
	}
	return errors.Join(errs...)
}

// PreferencesChanged applies a settings change from the portal.
func (h *Handlers) PreferencesChanged(msg *message.Message) error {
	ev, err := decode[events.PreferencesChanged](msg)
	if err != nil {
		return err
	}
	return h.prefs.Apply(msg.Context(), ev)
}

// Poisoned keeps a copy of a message that exhausted its retries, for the
// admin tool to inspect and replay.
func (h *Handlers) Poisoned(msg *message.Message) error {
	meta := map[string]string{
		"reason":  msg.Metadata.Get(middleware.ReasonForPoisonedKey),
		"topic":   msg.Metadata.Get(middleware.PoisonedTopicKey),
		"handler": msg.Metadata.Get(middleware.PoisonedHandlerKey),
	}
	return h.store.PutWithMeta(msg.Context(), poisonKey(msg.UUID), msg.Payload, meta, poisonTTL)
}
