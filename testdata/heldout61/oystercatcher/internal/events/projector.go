// Package events projects order and organiser events from NATS into the
// KV records the edge and the scanners read.
package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/nats-io/nats.go"

	"github.com/boxoffice/oystercatcher/internal/kvstore"
	"github.com/boxoffice/oystercatcher/internal/ticketing"
)

// Projector handles core NATS subjects. It runs in every API replica as
// part of the "kv-projector" queue group.
type Projector struct {
	KV     *kvstore.Store
	SessKV *kvstore.Store
}

const handlerTimeout = 20 * time.Second

// Subscribe registers the projector's callbacks on nc.
func (p *Projector) Subscribe(nc *nats.Conn) ([]*nats.Subscription, error) {
	paid, err := nc.QueueSubscribe("orders.paid", "kv-projector", p.onOrderPaid)
	if err != nil {
		return nil, fmt.Errorf("subscribe orders.paid: %w", err)
	}
	notes, err := nc.QueueSubscribe("orders.note", "kv-projector", p.onOrderNote)
	if err != nil {
		return nil, fmt.Errorf("subscribe orders.note: %w", err)
	}
	flags, err := nc.QueueSubscribe("flags.set", "kv-projector", p.onFlagSet)
	if err != nil {
		return nil, fmt.Errorf("subscribe flags.set: %w", err)
	}
	// Revocations are fanned out to every replica, not load-balanced.
	revoked, err := nc.Subscribe("organiser.session.revoked", p.onSessionRevoked)
	if err != nil {
		return nil, fmt.Errorf("subscribe organiser.session.revoked: %w", err)
	}
	return []*nats.Subscription{paid, notes, flags, revoked}, nil
}

type orderPaid struct {
	OrderID string             `json:"order_id"`
	EventID string             `json:"event_id"`
	BuyerID string             `json:"buyer_id"`
	Seats   []string           `json:"seats"`
	Tickets []ticketing.Ticket `json:"tickets"`
}

func (p *Projector) onOrderPaid(m *nats.Msg) {
	ctx, cancel := context.WithTimeout(context.Background(), handlerTimeout)
	defer cancel()
	var ev orderPaid
	if err := json.Unmarshal(m.Data, &ev); err != nil {
		slog.Error("orders.paid: bad payload", "err", err)
		return
	}
	entries := make([]kvstore.Entry, 0, len(ev.Tickets))
	for _, t := range ev.Tickets {
		buf, _ := json.Marshal(t)
		entries = append(entries, kvstore.Entry{Key: ticketing.TicketKey(t.ID), Value: buf})
	}
	if err := p.KV.BulkPut(ctx, entries); err != nil {
		slog.Error("orders.paid: write tickets", "order", ev.OrderID, "err", err)
		return
	}
	for _, seat := range ev.Seats {
		if err := p.KV.Delete(ctx, ticketing.HoldKey(ev.EventID, seat)); err != nil {
			slog.Warn("orders.paid: release hold", "seat", seat, "err", err)
		}
	}
	if err := p.addSold(ctx, ev.EventID, len(ev.Tickets)); err != nil {
		slog.Error("orders.paid: sold", "event", ev.EventID, "err", err)
	}
	go p.recordBuyerOrder(ev.BuyerID, ev.OrderID)
	if m.Reply != "" {
		_ = m.Respond([]byte("ok"))
	}
}

func (p *Projector) addSold(ctx context.Context, eventID string, n int) error {
	key := ticketing.SoldKey(eventID)
	var sold int64
	raw, err := p.KV.Get(ctx, key)
	switch {
	case err == nil:
		if sold, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return err
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return p.KV.Put(ctx, key, []byte(strconv.FormatInt(sold+int64(n), 10)), 0) // EXPECT kvcounter|kvrace
}

// recordBuyerOrder keeps the buyer's order list for the "my tickets" page.
func (p *Projector) recordBuyerOrder(buyerID, orderID string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	key := "buyer:orders:" + buyerID
	var orders []string
	raw, err := p.KV.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &orders); err != nil {
			slog.Error("buyer orders: decode", "buyer", buyerID, "err", err)
			return
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		slog.Error("buyer orders: read", "buyer", buyerID, "err", err)
		return
	}
	orders = append(orders, orderID)
	buf, _ := json.Marshal(orders)
	if err := p.KV.Put(ctx, key, buf, 0); err != nil { // EXPECT kvrace
		slog.Error("buyer orders: write", "buyer", buyerID, "err", err)
	}
}

type orderNote struct {
	OrderID string `json:"order_id"`
	Author  string `json:"author"`
	Text    string `json:"text"`
}

// onOrderNote appends a support note to the order's audit trail.
func (p *Projector) onOrderNote(m *nats.Msg) {
	ctx, cancel := context.WithTimeout(context.Background(), handlerTimeout)
	defer cancel()
	var n orderNote
	if err := json.Unmarshal(m.Data, &n); err != nil {
		return
	}
	key := ticketing.OrderAuditKey(n.OrderID)
	old, _ := p.KV.Get(ctx, key) // EXPECT kvnull
	line := fmt.Sprintf("%s %s: %s\n", time.Now().UTC().Format(time.RFC3339), n.Author, n.Text)
	if err := p.KV.Put(ctx, key, []byte(string(old)+line), 90*24*time.Hour); err != nil { // EXPECT kvrace
		slog.Error("order note: write", "order", n.OrderID, "err", err)
	}
}

type flagSet struct {
	Name string `json:"name"`
	On   bool   `json:"on"`
}

// onFlagSet flips one storefront feature flag; the edge reads the whole
// set from config:flags.
func (p *Projector) onFlagSet(m *nats.Msg) {
	ctx, cancel := context.WithTimeout(context.Background(), handlerTimeout)
	defer cancel()
	var req flagSet
	if err := json.Unmarshal(m.Data, &req); err != nil {
		_ = m.Respond([]byte("bad request"))
		return
	}
	ns, account, nsID := p.KV.Namespace()
	res, err := ns.Values.Get(ctx, nsID, "config:flags", kv.NamespaceValueGetParams{AccountID: cloudflare.F(account)})
	if err != nil {
		_ = m.Respond([]byte(err.Error()))
		return
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	flags := map[string]bool{}
	if len(body) > 0 { // EXPECT kvnull
		_ = json.Unmarshal(body, &flags)
	}
	flags[req.Name] = req.On
	buf, _ := json.Marshal(flags)
	if err := p.KV.Put(ctx, "config:flags", buf, 0); err != nil { // EXPECT kvrace
		_ = m.Respond([]byte(err.Error()))
		return
	}
	_ = m.Respond([]byte("ok"))
}

type sessionRevoked struct {
	OrgID     string `json:"org_id"`
	SessionID string `json:"session_id"`
}

func (p *Projector) onSessionRevoked(m *nats.Msg) {
	ctx, cancel := context.WithTimeout(context.Background(), handlerTimeout)
	defer cancel()
	var ev sessionRevoked
	if err := json.Unmarshal(m.Data, &ev); err != nil {
		return
	}
	if err := p.SessKV.Delete(ctx, ticketing.SessionKey(ev.OrgID, ev.SessionID)); err != nil { // EXPECT kvsession
		slog.Error("revoke session", "org", ev.OrgID, "err", err)
	}
}
