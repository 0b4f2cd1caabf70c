package alerts

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v3/queues"

	"veery/internal/httpx"
)

// Batch is the consumer's verdict on one pulled batch.
type Batch struct {
	Acks    []string
	Retries []string
}

// ConsumeBatch handles the messages of one pull from the alert queue.
func (t *Throttler) ConsumeBatch(ctx context.Context, msgs []queues.MessagePullResponse) Batch {
	var out Batch
	counts := map[Outcome]int{}
	for _, m := range msgs {
		var a Alert
		if err := json.Unmarshal([]byte(m.Body), &a); err != nil {
			slog.Warn("alerts: drop malformed message", "id", m.ID, "err", err)
			out.Acks = append(out.Acks, m.LeaseID)
			continue
		}
		if a.At.IsZero() {
			a.At = time.UnixMilli(int64(m.TimestampMs))
		}
		outcome, err := t.Handle(ctx, a)
		if err != nil {
			slog.Error("alerts: handle", "alert", a.ID, "err", err)
			out.Retries = append(out.Retries, m.LeaseID)
			continue
		}
		counts[outcome]++
		out.Acks = append(out.Acks, m.LeaseID)
		if err := t.KV.PutForever(ctx, t.NS, "alerts:last-processed", []byte(a.ID)); err != nil { // EXPECT kvhotkey
			slog.Warn("alerts: checkpoint", "err", err)
		}
	}
	slog.Info("alerts: batch", "size", len(msgs), "outcomes", counts)
	return out
}

// Routes registers the alert management endpoints.
func (t *Throttler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /fleets/{fleet}/rules/{rule}/mute", t.mute)
	mux.HandleFunc("DELETE /fleets/{fleet}/rules/{rule}/mute", t.unmute)
	mux.HandleFunc("POST /devices/{id}/snooze", t.snooze)
}

func (t *Throttler) mute(w http.ResponseWriter, r *http.Request) {
	d, err := time.ParseDuration(r.URL.Query().Get("for"))
	if err != nil {
		httpx.Error(w, http.StatusBadRequest, "for must be a duration")
		return
	}
	httpx.NoContent(w, r, t.Mute(r.Context(), r.PathValue("fleet"), r.PathValue("rule"), time.Now().Add(d)))
}

func (t *Throttler) unmute(w http.ResponseWriter, r *http.Request) {
	httpx.NoContent(w, r, t.Unmute(r.Context(), r.PathValue("fleet"), r.PathValue("rule")))
}

func (t *Throttler) snooze(w http.ResponseWriter, r *http.Request) {
	d, err := time.ParseDuration(r.URL.Query().Get("for"))
	if err != nil || d <= 0 {
		httpx.Error(w, http.StatusBadRequest, "for must be a positive duration")
		return
	}
	httpx.NoContent(w, r, t.Snooze(r.Context(), r.PathValue("id"), d))
}
