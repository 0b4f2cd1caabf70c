// Package pledges records donor pledges and the payment provider's
// webhooks for them.
package pledges

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"example.com/heron/internal/domain"
	"example.com/heron/internal/events"
	"example.com/heron/internal/httpx"
	"example.com/heron/internal/keys"
	"example.com/heron/internal/ports"
	"example.com/heron/internal/repo"
)

// history is the per-donor list shown on the donor portal.
type history struct {
	DonorID   string   `json:"donor_id"`
	PledgeIDs []string `json:"pledge_ids"`
}

// Service is the pledge service.
type Service struct {
	pledges   *repo.Repo[domain.Pledge]
	payments  *repo.Repo[Receipt]
	refunds   *repo.Repo[RefundEvent]
	history   *repo.Repo[history]
	stats     ports.Handle
	idem      ports.Handle
	reminders ports.Handle
	bus       *events.Bus
	lead      time.Duration
	now       func() time.Time
}

// Option configures a Service.
type Option func(*Service)

// WithReminderLead sets how long before the due date reminders start.
func WithReminderLead(d time.Duration) Option { return func(s *Service) { s.lead = d } }

// New wires a Service and registers its subscribers on bus.
func New(b ports.Backend, nsID string, bus *events.Bus, opts ...Option) *Service {
	ns := b.Namespace(nsID)
	s := &Service{
		pledges:   repo.New[domain.Pledge](ns.Prefixed("pledge:")),
		payments:  repo.New[Receipt](ns.Prefixed("payment:")),
		refunds:   repo.New[RefundEvent](ns.Prefixed("refund:"), repo.WithTTL(400*24*time.Hour)),
		history:   repo.New[history](ns.Prefixed("donor:")),
		stats:     ns.Prefixed("stats:"),
		idem:      ns.Prefixed("idem:"),
		reminders: ns.Prefixed("quiet:"),
		bus:       bus,
		lead:      72 * time.Hour,
		now:       time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	bus.On(events.PledgeReceived{}.EventName(), s.appendHistory)
	bus.Subscribe(&FundTotals{h: s.stats})
	return s
}

func newID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// CreateReq is a new pledge from the donation form.
type CreateReq struct {
	DonorID   string    `json:"donor_id"`
	Fund      string    `json:"fund"`
	AmountCts int64     `json:"amount_cents"`
	DueAt     time.Time `json:"due_at"`
}

// Create records a pledge.
func (s *Service) Create(ctx context.Context, req CreateReq) (domain.Pledge, error) {
	if req.AmountCts <= 0 || req.DonorID == "" {
		return domain.Pledge{}, httpx.Errorf(http.StatusBadRequest, "donor_id and a positive amount are required")
	}
	p := domain.Pledge{
		ID:        newID(),
		DonorID:   req.DonorID,
		Fund:      req.Fund,
		AmountCts: req.AmountCts,
		DueAt:     req.DueAt,
		Status:    domain.PledgeOpen,
		CreatedAt: s.now(),
	}
	if err := s.pledges.Put(ctx, p.ID, p); err != nil {
		return domain.Pledge{}, err
	}
	// The donor wall in the atrium shows the most recent pledge.
	wall, _ := json.Marshal(map[string]any{"fund": p.Fund, "amount_cents": p.AmountCts, "at": p.CreatedAt})
	if err := s.stats.Put(ctx, "latest", wall, nil); err != nil { // EXPECT kvhotkey
		return domain.Pledge{}, err
	}
	if err := s.scheduleReminder(ctx, p); err != nil {
		return domain.Pledge{}, err
	}
	return p, s.bus.Publish(ctx, events.PledgeReceived{Pledge: p})
}

// scheduleReminder writes a quiet-period marker: no reminder is sent for the
// pledge while the marker exists.
func (s *Service) scheduleReminder(ctx context.Context, p domain.Pledge) error {
	if p.DueAt.IsZero() {
		return nil
	}
	ttl := time.Until(p.DueAt.Add(-s.lead))
	return s.reminders.Put(ctx, p.ID, []byte(p.DueAt.Format(time.RFC3339)), &ports.PutOpts{TTL: ttl}) // EXPECT kvttl
}

// appendHistory adds the pledge to the donor's portal history.
func (s *Service) appendHistory(ctx context.Context, e events.Event) error {
	ev, ok := e.(events.PledgeReceived)
	if !ok {
		return nil
	}
	h, err := s.history.Get(ctx, ev.Pledge.DonorID)
	if err != nil && !errors.Is(err, ports.ErrNotFound) {
		return err
	}
	h.DonorID = ev.Pledge.DonorID
	h.PledgeIDs = append(h.PledgeIDs, ev.Pledge.ID)
	return s.history.Put(ctx, ev.Pledge.DonorID, h) // EXPECT kvrace
}

// FundTotals keeps the running total pledged to each fund for the
// development office dashboard.
type FundTotals struct {
	h ports.Handle
}

// Notify implements events.Subscriber.
func (f *FundTotals) Notify(ctx context.Context, e events.Event) error {
	ev, ok := e.(events.PledgeReceived)
	if !ok {
		return nil
	}
	key := "fund:" + keys.Segment(ev.Pledge.Fund)
	var total int64
	b, err := f.h.Get(ctx, key)
	switch {
	case errors.Is(err, ports.ErrNotFound):
	case err != nil:
		return err
	default:
		if total, err = strconv.ParseInt(string(b), 10, 64); err != nil {
			return err
		}
	}
	total += ev.Pledge.AmountCts
	return f.h.Put(ctx, key, strconv.AppendInt(nil, total, 10), nil) // EXPECT kvcounter
}

// PaymentEvent is the provider's "payment succeeded" webhook.
type PaymentEvent struct {
	ID             string `json:"id"`
	IdempotencyKey string `json:"idempotency_key"`
	PledgeID       string `json:"pledge_id"`
	AmountCts      int64  `json:"amount_cents"`
}

// Receipt is returned to the provider and replayed for retries.
type Receipt struct {
	PaymentID string    `json:"payment_id"`
	PledgeID  string    `json:"pledge_id"`
	AmountCts int64     `json:"amount_cents"`
	At        time.Time `json:"at"`
	Replayed  bool      `json:"replayed,omitempty"`
}

// RecordPayment stores a payment. A retried delivery with the same
// idempotency key gets the stored receipt back.
func (s *Service) RecordPayment(ctx context.Context, evt PaymentEvent) (Receipt, error) {
	if evt.IdempotencyKey == "" {
		return Receipt{}, httpx.Errorf(http.StatusBadRequest, "missing idempotency key")
	}
	ikey := keys.Hashed("pay:", evt.IdempotencyKey)
	b, err := s.idem.Get(ctx, ikey)
	switch {
	case err == nil:
		var r Receipt
		if err := json.Unmarshal(b, &r); err != nil {
			return Receipt{}, err
		}
		r.Replayed = true
		return r, nil
	case !errors.Is(err, ports.ErrNotFound):
		return Receipt{}, err
	}
	rec := Receipt{PaymentID: evt.ID, PledgeID: evt.PledgeID, AmountCts: evt.AmountCts, At: s.now()}
	if err := s.payments.Put(ctx, evt.ID, rec); err != nil {
		return Receipt{}, err
	}
	out, err := json.Marshal(rec)
	if err != nil {
		return Receipt{}, err
	}
	if err := s.idem.Put(ctx, ikey, out, &ports.PutOpts{TTL: 7 * 24 * time.Hour}); err != nil { // DEBATABLE kvrace
		return Receipt{}, err
	}
	return rec, nil
}

// RefundEvent is the provider's "refund issued" webhook.
type RefundEvent struct {
	ID        string `json:"id"`
	PaymentID string `json:"payment_id"`
	AmountCts int64  `json:"amount_cents"`
}

// Ack acknowledges a webhook.
type Ack struct {
	Duplicate bool `json:"duplicate"`
}

// RecordRefund stores a refund once per provider event id.
func (s *Service) RecordRefund(ctx context.Context, evt RefundEvent) (Ack, error) {
	seen := "seen:" + evt.ID
	if _, err := s.idem.Get(ctx, seen); err == nil {
		return Ack{Duplicate: true}, nil
	} else if !errors.Is(err, ports.ErrNotFound) {
		return Ack{}, err
	}
	if err := s.refunds.Put(ctx, evt.ID, evt); err != nil {
		return Ack{}, err
	}
	if err := s.idem.Put(ctx, seen, []byte("1"), &ports.PutOpts{TTL: 72 * time.Hour}); err != nil { // EXPECT kvrace
		return Ack{}, err
	}
	return Ack{}, nil
}
