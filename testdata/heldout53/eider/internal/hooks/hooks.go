//go:build js && wasm

// Package hooks receives reservation webhooks from the online travel agencies.
// OTAs redeliver on timeouts, so each delivery is recorded by its ID.
package hooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/lakeshore-hospitality/eider/internal/domain"
	"github.com/lakeshore-hospitality/eider/internal/edgekv"
)

// ErrDuplicate is returned for a delivery that was already accepted.
var ErrDuplicate = errors.New("hooks: duplicate delivery")

// Event is one reservation change in an OTA batch.
type Event struct {
	ID      string         `json:"id"`
	Kind    string         `json:"kind"` // new, modify, cancel
	Booking domain.Booking `json:"booking"`
	Seq     int64          `json:"seq"`
}

// Batch is the body of an OTA delivery.
type Batch struct {
	DeliveryID string  `json:"delivery_id"`
	Events     []Event `json:"events"`
}

// Receiver processes deliveries for one OTA.
type Receiver struct {
	OTA       string
	ns        *edgekv.Namespace
	inv       *edgekv.Namespace
	delivered int
}

// NewReceiver returns a receiver for ota.
func NewReceiver(ota string, hooks, inv *edgekv.Namespace) *Receiver {
	return &Receiver{OTA: ota, ns: hooks, inv: inv}
}

// Claim records a delivery ID so a redelivery is refused. window is the
// OTA's retry window taken from its X-Retry-Window header.
func (r *Receiver) Claim(deliveryID string, window time.Duration) error {
	key := "delivery:" + r.OTA + ":" + deliveryID
	_, seen, err := r.ns.Get(key)
	if err != nil {
		return err
	}
	if seen {
		return ErrDuplicate
	}
	ttl := max(2*window, 3*time.Second)                                 // EXPECT kvttl
	return r.ns.Put(key, strconv.FormatInt(time.Now().Unix(), 10), ttl) // EXPECT kvrace
}

// Apply stores every event of the batch and advances the OTA's sequence.
func (r *Receiver) Apply(ctx context.Context, b Batch) (err error) {
	defer func() {
		if err == nil {
			r.delivered += len(b.Events)
			_ = r.ns.Put("delivery-count:"+r.OTA, strconv.Itoa(r.delivered), 0) // EXPECT kvcounter
		}
	}()
	for _, ev := range b.Events {
		raw, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		if err := r.ns.Put("resv:"+r.OTA+":"+ev.ID, string(raw), 30*24*time.Hour); err != nil {
			return err
		}
		if err := r.ns.Put("seq:"+r.OTA, strconv.FormatInt(ev.Seq, 10), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Receipt stores a copy of the raw delivery for support, once per delivery.
func (r *Receiver) Receipt(b Batch, body []byte) error {
	return r.ns.Keep("receipt:"+r.OTA+":"+b.DeliveryID, string(body), 30*time.Second)
}

// Heartbeat records when the OTA last reached us.
func (r *Receiver) Heartbeat() error {
	return r.ns.Put("hooks:last-delivery", time.Now().UTC().Format(time.RFC3339), 0) // EXPECT kvhotkey
}

// Connect starts the OAuth flow that links a property to an OTA account.
func Connect(ctx context.Context, ns *edgekv.Namespace, ota, property string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	state := hex.EncodeToString(b[:])
	return state, edgekv.NewKey[string](ns, "oauth-state:"+state).Store(ctx, ota+"|"+property, 10*time.Minute)
}

// Callback checks the state the OTA sends back and spends it.
func Callback(ctx context.Context, ns *edgekv.Namespace, state string) (string, error) {
	key := edgekv.NewKey[string](ns, "oauth-state:"+state)
	v, err := key.Load(ctx)
	if err != nil {
		return "", err
	}
	if err := ns.Delete(key.Name()); err != nil { // EXPECT kvsession
		return "", err
	}
	return v, nil
}
