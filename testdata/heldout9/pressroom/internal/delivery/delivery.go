// Package delivery records provider webhooks (delivered, bounced, complaint)
// that arrive through the delivery-events queue.
package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"example.com/pressroom/internal/keys"
	"example.com/pressroom/internal/repo"
	"example.com/pressroom/internal/store"
)

// Event kinds.
const (
	Delivered = "delivered"
	Bounced   = "bounced"
	Complaint = "complaint"
)

// keepEvents bounds the per-campaign timeline shown in the dashboard.
const keepEvents = 200

// Event is one provider notification.
type Event struct {
	MessageID  string    `json:"message_id"`
	CampaignID string    `json:"campaign_id"`
	Recipient  string    `json:"recipient"`
	Kind       string    `json:"kind"`
	At         time.Time `json:"at"`
}

// Decode parses a queue message body.
func Decode(b []byte) (Event, error) {
	var ev Event
	if err := json.Unmarshal(b, &ev); err != nil {
		return ev, fmt.Errorf("delivery: decode: %w", err)
	}
	if ev.MessageID == "" || ev.CampaignID == "" {
		return ev, errors.New("delivery: event without message or campaign id")
	}
	return ev, nil
}

// Timeline is the recent history of one campaign.
type Timeline struct {
	Campaign string  `json:"campaign"`
	Events   []Event `json:"events"`
}

func (t Timeline) Key() string { return t.Campaign }

// Recorder persists events. Per-message records are written by a background
// goroutine so the consumer can ack quickly; call Close before returning.
type Recorder struct {
	st        store.Store
	timelines *repo.Repo[Timeline]
	out       chan Event
	done      chan struct{}
	log       *slog.Logger
}

// NewRecorder starts the writer goroutine.
func NewRecorder(ctx context.Context, st store.Store, log *slog.Logger) *Recorder {
	r := &Recorder{
		st:        st,
		timelines: repo.New[Timeline](st, keys.Timeline, repo.WithTTL(90*24*time.Hour)),
		out:       make(chan Event, 64),
		done:      make(chan struct{}),
		log:       log,
	}
	go r.write(ctx)
	return r
}

// Record stores one event.
func (r *Recorder) Record(ctx context.Context, ev Event) error {
	tl, err := r.timelines.Get(ctx, ev.CampaignID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		tl = Timeline{Campaign: ev.CampaignID}
	case err != nil:
		return err
	}
	tl.Events = append(tl.Events, ev)
	if n := len(tl.Events); n > keepEvents {
		tl.Events = tl.Events[n-keepEvents:]
	}
	if err := r.timelines.Save(ctx, tl); err != nil { // EXPECT kvrace
		return fmt.Errorf("timeline %s: %w", ev.CampaignID, err)
	}
	if ev.Kind == Delivered {
		if err := r.bump(ctx, "delivered:"+ev.CampaignID); err != nil {
			return err
		}
	}
	r.out <- ev
	return nil
}

func (r *Recorder) bump(ctx context.Context, key string) error {
	raw, ok, err := r.st.Get(ctx, key)
	if err != nil {
		return err
	}
	var n int64
	if ok {
		if n, err = strconv.ParseInt(raw, 10, 64); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
	}
	return r.st.Put(ctx, key, strconv.FormatInt(n+1, 10)) // EXPECT kvcounter
}

func (r *Recorder) write(ctx context.Context) {
	defer close(r.done)
	for ev := range r.out {
		b, _ := json.Marshal(ev)
		if err := r.st.Put(ctx, keys.Delivery+ev.MessageID, string(b), store.WithTTL(30*24*time.Hour)); err != nil {
			r.log.ErrorContext(ctx, "store delivery", "message", ev.MessageID, "err", err)
		}
		if err := r.st.Put(ctx, keys.LatestEvent, string(b)); err != nil { // EXPECT kvhotkey
			r.log.WarnContext(ctx, "store latest event", "err", err)
		}
	}
}

// Close flushes pending writes.
func (r *Recorder) Close() {
	close(r.out)
	<-r.done
}
