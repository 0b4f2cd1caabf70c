//go:build js && wasm

package takeaway

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"example.com/saffron/internal/store"
)

// StatusUpdate is a courier webhook payload.
type StatusUpdate struct {
	Order   string    `json:"order"`
	Status  string    `json:"status"`
	Courier string    `json:"courier"`
	At      time.Time `json:"at"`
	ETA     string    `json:"eta,omitempty"`
}

// Deliveries receives courier status webhooks.
type Deliveries struct {
	svc    *Service
	feed   store.Writer
	secret []byte
}

// NewDeliveries returns the webhook handler. feed receives the dashboard's
// "latest update" record.
func NewDeliveries(svc *Service, feed store.Writer, secret []byte) *Deliveries {
	return &Deliveries{svc: svc, feed: feed, secret: secret}
}

func (d *Deliveries) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<10))
	if err != nil {
		http.Error(w, "read failed", http.StatusBadRequest)
		return
	}
	if !d.signed(body, r.Header.Get("X-Courier-Signature")) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var u StatusUpdate
	if err := json.Unmarshal(body, &u); err != nil || u.Order == "" || u.Status == "" {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	if err := d.record(r.Context(), u); err != nil {
		http.Error(w, "store failed", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// record appends the status to the order's history.
func (d *Deliveries) record(ctx context.Context, u StatusUpdate) error {
	c, err := d.svc.kv()
	if err != nil {
		return err
	}
	key := "delivery:" + u.Order
	old, found, err := c.Text(key)
	if err != nil {
		return err
	}
	entry := u.Status + "@" + u.At.UTC().Format(time.RFC3339)
	history := entry
	if found {
		history = old + "," + entry
	}
	if err := c.Write(key).Value(history).TTL(7 * 24 * time.Hour).Do(ctx); err != nil { // EXPECT kvrace
		return err
	}
	latest, _ := json.Marshal(u)
	return d.feed.Put(ctx, "deliveries:latest", latest, store.SecondsOf(time.Hour)) // EXPECT kvhotkey
}

func (d *Deliveries) signed(body []byte, sig string) bool {
	mac := hmac.New(sha256.New, d.secret)
	mac.Write(body)
	want := mac.Sum(nil)
	got, err := hex.DecodeString(sig)
	return err == nil && hmac.Equal(want, got)
}
