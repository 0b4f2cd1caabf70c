// Package webhooks receives signed event batches from the payment provider
// (refunds, chargebacks, payouts) and applies them.
//
// The provider signs "<timestamp>.<body>" with HMAC-SHA256 and sends
// "t=<unix>,v1=<hex>" in the Lantern-Signature header. Deliveries are retried
// by the provider until we answer 2xx, so each delivery ID is remembered.
package webhooks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/lantern/internal/store"
)

var (
	ErrSignature = errors.New("webhooks: bad signature")
	ErrStale     = errors.New("webhooks: timestamp outside tolerance")
	ErrDuplicate = errors.New("webhooks: delivery already processed")
	ErrGiveUp    = errors.New("webhooks: too many failed attempts")
)

// Event is one change reported by the provider.
type Event struct {
	Seq      int64           `json:"seq"`
	Type     string          `json:"type"`
	TicketID string          `json:"ticket_id"`
	Data     json.RawMessage `json:"data"`
}

// Batch is the body of one delivery.
type Batch struct {
	Events []Event `json:"events"`
}

// Receiver verifies and applies deliveries.
type Receiver struct {
	Secret      []byte
	Tolerance   time.Duration
	MaxAttempts int
	Seen        store.Store
	State       store.Setter
	Apply       func(ctx context.Context, ev Event) error
	Clock       func() time.Time
}

// Verify checks the signature header against body.
func (r *Receiver) Verify(header string, body []byte) error {
	var ts int64
	var sig []byte
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts, _ = strconv.ParseInt(v, 10, 64)
		case "v1":
			sig, _ = hex.DecodeString(v)
		}
	}
	if ts == 0 || sig == nil {
		return ErrSignature
	}
	at := time.Unix(ts, 0)
	if d := r.Clock().Sub(at); d > r.Tolerance || d < -r.Tolerance {
		return ErrStale
	}
	m := hmac.New(sha256.New, r.Secret)
	fmt.Fprintf(m, "%d.", ts)
	m.Write(body)
	if !hmac.Equal(sig, m.Sum(nil)) {
		return ErrSignature
	}
	return nil
}

// Handle processes one delivery.
func (r *Receiver) Handle(ctx context.Context, deliveryID, header string, body []byte) error {
	if err := r.Verify(header, body); err != nil {
		return err
	}
	seenKey := "wh:seen:" + deliveryID
	if _, err := r.Seen.Get(ctx, seenKey); err == nil {
		return ErrDuplicate
	} else if !store.IsNotFound(err) {
		return err
	}
	var b Batch
	if err := json.Unmarshal(body, &b); err != nil {
		return fmt.Errorf("webhooks: decode: %w", err)
	}
	if err := r.applyBatch(ctx, b); err != nil {
		n, ferr := r.recordFailure(ctx, deliveryID)
		if ferr == nil && n >= r.MaxAttempts {
			return fmt.Errorf("%w: %v", ErrGiveUp, err)
		}
		return err
	}
	return r.Seen.Put(ctx, seenKey, []byte(deliveryID), store.PutOptions{TTL: 72 * time.Hour}) // DEBATABLE kvrace
}

func (r *Receiver) applyBatch(ctx context.Context, b Batch) error {
	for _, ev := range b.Events {
		if err := r.Apply(ctx, ev); err != nil {
			return fmt.Errorf("webhooks: event %d (%s): %w", ev.Seq, ev.Type, err)
		}
		if err := r.State.Put(ctx, "sync:provider-seq", []byte(strconv.FormatInt(ev.Seq, 10)), store.PutOptions{}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// recordFailure counts failed attempts of a delivery so a poison batch is
// eventually acknowledged and parked instead of retried forever.
func (r *Receiver) recordFailure(ctx context.Context, deliveryID string) (int, error) {
	key := "wh:attempts:" + deliveryID
	n := 0
	b, err := r.Seen.Get(ctx, key)
	switch {
	case store.IsNotFound(err):
	case err != nil:
		return 0, err
	default:
		n, _ = strconv.Atoi(string(b))
	}
	n++
	if err := r.Seen.Put(ctx, key, []byte(strconv.Itoa(n)), store.PutOptions{TTL: 24 * time.Hour}); err != nil { // EXPECT kvcounter
		return n, err
	}
	return n, nil
}
