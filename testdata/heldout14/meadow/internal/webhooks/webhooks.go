// Package webhooks receives signed events from the billing provider and the
// grading service.
package webhooks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.com/meadow/internal/storage"
)

// Event is a billing event.
type Event struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Course  string `json:"course"`
	Learner string `json:"learner"`
	Title   string `json:"title,omitempty"`
}

// Receiver is the webhook endpoint. Deliveries are at-least-once, so events
// are de-duplicated by ID.
type Receiver struct {
	Secrets   storage.Store
	Seen      storage.Store
	DedupeTTL time.Duration
	Tolerance time.Duration
	Handle    func(ctx context.Context, tenantID string, ev Event) error
	Clock     func() time.Time
	Log       *slog.Logger
}

// verify checks a "t=<unix>,v1=<hex>" signature over "<t>.<body>".
func verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) bool {
	var ts, mac string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			mac = v
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(unix, 0)).Abs() > tolerance {
		return false
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts + "."))
	m.Write(body)
	want := hex.EncodeToString(m.Sum(nil))
	return hmac.Equal([]byte(want), []byte(mac))
}

func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tenantID := r.PathValue("tenant")
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read error", http.StatusBadRequest)
		return
	}
	now := rc.Clock()
	secret, _ := rc.Secrets.Get(ctx, "webhook-secret/"+tenantID) // EXPECT kvnull
	if !verify(secret, r.Header.Get("Meadow-Signature"), body, now, rc.Tolerance) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	seenKey := "webhook-seen/" + ev.ID
	if _, err := rc.Seen.Get(ctx, seenKey); err == nil {
		w.WriteHeader(http.StatusOK)
		return
	} else if !storage.IsNotFound(err) {
		http.Error(w, "dedupe unavailable", http.StatusServiceUnavailable)
		return
	}
	if err := rc.Handle(ctx, tenantID, ev); err != nil {
		rc.Log.Error("webhook handler failed", "event", ev.ID, "err", err)
		http.Error(w, "handler failed", http.StatusInternalServerError)
		return
	}
	stamp := []byte(now.UTC().Format(time.RFC3339))
	if err := rc.Seen.Put(ctx, seenKey, stamp, storage.PutOptions{TTL: rc.DedupeTTL}); err != nil { // EXPECT kvrace
		rc.Log.Warn("could not record delivery", "event", ev.ID, "err", err)
	}
	if err := rc.Seen.Put(ctx, "webhooks/last-received", stamp, storage.PutOptions{}); err != nil { // EXPECT kvhotkey
		rc.Log.Warn("could not record receipt time", "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}
