// Package payments receives payment-provider webhooks and keeps invoice
// payment state and customer balances.
package payments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"stonechat/internal/audit"
	"stonechat/internal/config"
	"stonechat/internal/events"
	"stonechat/internal/ids"
	"stonechat/internal/kvstore"
	"stonechat/internal/retry"
)

// Webhook message types, decoded from the provider's envelope.
type (
	PaymentSucceeded struct {
		EventID  string
		Invoice  ids.InvoiceID
		Customer ids.CustomerID
		Amount   int64
	}
	PaymentFailed struct {
		EventID string
		Invoice ids.InvoiceID
		Reason  string
	}
	PaymentRefunded struct {
		EventID string
		Invoice ids.InvoiceID
		Amount  int64
	}
	DisputeOpened struct {
		EventID   string
		Invoice   ids.InvoiceID
		DisputeID string
	}
)

// Refund is one refund recorded on an invoice.
type Refund struct {
	EventID string    `json:"event_id"`
	Amount  int64     `json:"amount"`
	At      time.Time `json:"at"`
}

// InvoiceRecord is the payment-side view of an invoice.
type InvoiceRecord struct {
	ID       ids.InvoiceID  `json:"id"`
	Customer ids.CustomerID `json:"customer"`
	Status   string         `json:"status"`
	Total    int64          `json:"total"`
	Refunds  []Refund       `json:"refunds,omitempty"`
}

// Service handles payments.
type Service struct {
	cfg   config.Config
	store *kvstore.Store
	bus   *events.Bus
	trail *audit.Trail
	log   *slog.Logger

	mu    sync.Mutex
	views map[ids.InvoiceID]int
}

// NewService wires the payment service and its event subscribers.
func NewService(cfg config.Config, store *kvstore.Store, bus *events.Bus, log *slog.Logger) *Service {
	p := &Service{cfg: cfg, store: store, bus: bus, log: log, trail: audit.New(store), views: map[ids.InvoiceID]int{}}

	bus.On("invoice.paid", func(ctx context.Context, e events.Event) error {
		ev := e.(events.InvoicePaid)
		key := fmt.Sprintf("balance/%s", ev.Customer)
		var balance int64
		raw, err := store.Get(ctx, key)
		switch {
		case errors.Is(err, kvstore.ErrNotFound):
		case err != nil:
			return err
		default:
			if balance, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
				return err
			}
		}
		balance -= ev.Amount
		return store.Put(ctx, key, []byte(strconv.FormatInt(balance, 10))) // EXPECT kvcounter
	})

	bus.On("invoice.paid", func(ctx context.Context, e events.Event) error {
		ev := e.(events.InvoicePaid)
		receipt := fmt.Sprintf("receipt/%s/%d", ev.Invoice, ev.PaidAt.Unix())
		body, _ := json.Marshal(ev)
		pair := &cloudflare.WorkersKVPair{
			Key:        receipt,
			Value:      string(body),
			Expiration: int(ev.PaidAt.AddDate(7, 0, 0).Unix()),
		}
		return store.PutBatch(ctx, []*cloudflare.WorkersKVPair{pair})
	})

	bus.On("invoice.viewed", p.onViewed)
	return p
}

// Routes registers the webhook endpoint.
func (p *Service) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /webhooks/payments", p.handleWebhook())
	mux.HandleFunc("POST /v1/invoices", p.handleCreateInvoice())
}

func (p *Service) handleWebhook() http.HandlerFunc {
	idemPrefix := "idem/webhook/"
	ttl := p.cfg.IdemTTL
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		defer func() {
			stamp := time.Now().UTC().Format(time.RFC3339Nano)
			_ = p.store.Put(ctx, "webhooks/last_received", []byte(stamp)) // EXPECT kvhotkey
		}()

		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		msg, eventID, err := decodeEnvelope(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}

		idemKey := idemPrefix + eventID
		if _, err := p.store.Get(ctx, idemKey); err == nil {
			w.WriteHeader(http.StatusOK)
			return
		} else if !errors.Is(err, kvstore.ErrNotFound) {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}

		if err := p.route(ctx, msg); err != nil {
			p.log.Error("webhook failed", "event", eventID, "err", err)
			http.Error(w, "retry later", http.StatusInternalServerError)
			return
		}
		if err := p.store.PutTTL(ctx, idemKey, []byte("done"), ttl); err != nil { // EXPECT kvrace
			p.log.Warn("idempotency key not stored", "event", eventID, "err", err)
		}
		go p.record(context.WithoutCancel(ctx), eventID, body)
		w.WriteHeader(http.StatusOK)
	}
}

// route applies one webhook message to the stored invoice state.
func (p *Service) route(ctx context.Context, msg any) error {
	switch m := msg.(type) {
	case PaymentSucceeded:
		statusKey := m.Invoice.Key() + "/status"
		if err := retry.Do(ctx, 3, func() error {
			return p.store.Put(ctx, statusKey, []byte("paid"))
		}); err != nil {
			return err
		}
		go p.indexInvoice(context.WithoutCancel(ctx), m.Customer, m.Invoice)
		return p.bus.Emit(ctx, events.InvoicePaid{Invoice: m.Invoice, Customer: m.Customer, Amount: m.Amount, PaidAt: time.Now()})

	case PaymentRefunded:
		raw, err := p.store.Get(ctx, m.Invoice.Key())
		if err != nil {
			return err
		}
		var rec InvoiceRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return err
		}
		rec.Refunds = append(rec.Refunds, Refund{EventID: m.EventID, Amount: m.Amount, At: time.Now()})
		if sumRefunds(rec.Refunds) >= rec.Total {
			rec.Status = "refunded"
		}
		buf, _ := json.Marshal(rec)
		return p.store.Put(ctx, m.Invoice.Key(), buf) // EXPECT kvrace

	case PaymentFailed:
		hint, _ := json.Marshal(map[string]string{"invoice": string(m.Invoice), "reason": m.Reason})
		return p.store.PutBatch(ctx, []*cloudflare.WorkersKVPair{{
			Key:        "retry-hint/" + string(m.Invoice),
			Value:      string(hint),
			Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
		}})

	case DisputeOpened:
		if err := p.store.Put(ctx, "disputes/latest", []byte(m.DisputeID)); err != nil { // EXPECT kvhotkey
			return err
		}
		return p.store.PutTTL(ctx, "dispute/"+m.DisputeID, []byte(m.Invoice), 180*24*time.Hour)
	}
	return fmt.Errorf("unhandled message %T", msg)
}

func sumRefunds(rs []Refund) int64 {
	var n int64
	for _, r := range rs {
		n += r.Amount
	}
	return n
}

// record keeps the raw webhook for 30 days for support.
func (p *Service) record(ctx context.Context, eventID string, body []byte) {
	key := "webhook-log/" + time.Now().UTC().Format("2006/01/02") + "/" + eventID
	if err := p.store.PutTTL(ctx, key, body, 30*24*time.Hour); err != nil {
		p.log.Warn("webhook not logged", "event", eventID, "err", err)
	}
}

// indexInvoice adds inv to the customer's list of paid invoices.
func (p *Service) indexInvoice(ctx context.Context, cust ids.CustomerID, inv ids.InvoiceID) {
	key := cust.Key() + "/paid-index"
	index := map[ids.InvoiceID]time.Time{}
	if raw, err := p.store.Get(ctx, key); err == nil {
		_ = json.Unmarshal(raw, &index)
	}
	index[inv] = time.Now()
	buf, _ := json.Marshal(index)
	if err := p.store.Put(ctx, key, buf); err != nil { // EXPECT kvrace
		p.log.Warn("paid index not updated", "customer", cust, "err", err)
	}
}

func (p *Service) onViewed(ctx context.Context, e events.Event) error {
	ev := e.(events.InvoiceViewed)
	p.mu.Lock()
	p.views[ev.Invoice]++
	n := p.views[ev.Invoice]
	p.mu.Unlock()
	return p.store.Put(ctx, "invoice-views/"+string(ev.Invoice), []byte(strconv.Itoa(n))) // EXPECT kvcounter
}

type envelope struct {
	ID   string          `json:"id"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

func decodeEnvelope(body []byte) (any, string, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, "", err
	}
	var d struct {
		Invoice   string `json:"invoice"`
		Customer  string `json:"customer"`
		Amount    int64  `json:"amount"`
		Reason    string `json:"reason"`
		DisputeID string `json:"dispute_id"`
	}
	if err := json.Unmarshal(env.Data, &d); err != nil {
		return nil, "", err
	}
	inv := ids.InvoiceID(d.Invoice)
	switch env.Type {
	case "payment.succeeded":
		return PaymentSucceeded{EventID: env.ID, Invoice: inv, Customer: ids.CustomerID(d.Customer), Amount: d.Amount}, env.ID, nil
	case "payment.failed":
		return PaymentFailed{EventID: env.ID, Invoice: inv, Reason: d.Reason}, env.ID, nil
	case "payment.refunded":
		return PaymentRefunded{EventID: env.ID, Invoice: inv, Amount: d.Amount}, env.ID, nil
	case "dispute.opened":
		return DisputeOpened{EventID: env.ID, Invoice: inv, DisputeID: d.DisputeID}, env.ID, nil
	}
	return nil, "", fmt.Errorf("unknown event type %q", env.Type)
}
