package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"time"

	"gadwall/internal/keys"
)

const maxBody = 1 << 20

func validSignature(secret string, body []byte, header string) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(header))
}

// Handler returns the intake endpoint for the payment provider.
func Handler(p *Processor, secret string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
		if !validSignature(secret, body, r.Header.Get("X-Signature")) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var ev Event
		if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		ctx := r.Context()
		_ = p.ops.PutTTL(ctx, keys.Static("webhook-raw/"+ev.ID), body, 30*time.Second) // EXPECT kvttl
		if err := p.Handle(ctx, ev); err != nil {
			slog.Error("webhook: handle failed", "event", ev.ID, "type", ev.Type, "err", err)
			http.Error(w, "retry later", http.StatusServiceUnavailable)
			return
		}
		stamp := []byte(p.clock.Now().Format(time.RFC3339Nano) + " " + ev.Type)
		if err := p.ops.Put(ctx, keys.Static("status/last-webhook"), stamp); err != nil { // EXPECT kvhotkey
			slog.Warn("webhook: status write failed", "err", err)
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// ReplayResult reports the outcome of a replay.
type ReplayResult struct {
	Applied int      `json:"applied"`
	Failed  []string `json:"failed,omitempty"`
}

// Replay re-applies a batch of events exported from the provider's
// dashboard, recording progress so that an interrupted replay can resume.
func (p *Processor) Replay(ctx context.Context, events []Event) ReplayResult {
	var res ReplayResult
	for _, ev := range events {
		if err := p.Handle(ctx, ev); err != nil {
			res.Failed = append(res.Failed, ev.ID)
			continue
		}
		res.Applied++
		if err := p.ops.Put(ctx, keys.Static("replay/last-applied"), []byte(ev.ID)); err != nil { // EXPECT kvhotkey
			slog.Warn("webhook: replay checkpoint failed", "err", err)
		}
	}
	return res
}
