package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/pylon/internal/outbox"
	"example.com/pylon/internal/repo"
	"example.com/pylon/internal/storage"
)

// Prefs are a clinician's notification preferences.
type Prefs struct {
	ClinicianID string
	Email       string
	SMS         string
	Quiet       []string // HH:MM-HH:MM ranges, local time
	Muted       bool
}

// Results notifies clinicians when a result is ready.
type Results struct {
	prefs  *repo.Repo[Prefs]
	marks  storage.ReadWriter
	outbox *outbox.Outbox
}

// NewResults wires the result notifier.
func NewResults(store storage.ReadWriter, ob *outbox.Outbox) *Results {
	return &Results{prefs: repo.New[Prefs](store, "prefs:"), marks: store, outbox: ob}
}

// ErrMuted is returned when the clinician muted notifications.
var ErrMuted = errors.New("notify: clinician muted notifications")

// ResultReady queues a notification for a finished result. Results are
// re-released after amendments, so the notification is queued once per
// result version.
func (n *Results) ResultReady(ctx context.Context, resultID, version, clinicianID string) error {
	mark := "notified:" + resultID + ":" + version
	if _, err := n.marks.Get(ctx, mark); err == nil {
		return nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	p, err := n.prefs.Get(ctx, clinicianID)
	if err != nil {
		return fmt.Errorf("notify: prefs for %s: %w", clinicianID, err)
	}
	if p.Muted {
		return ErrMuted
	}
	payload := strings.Join([]string{resultID, version, p.Email, p.SMS}, "|")
	if err := n.outbox.Publish(ctx, "result-ready", []byte(payload)); err != nil {
		return err
	}
	return n.marks.Put(ctx, mark, []byte("1"), storage.PutOptions{TTL: 30 * 24 * time.Hour}) // DEBATABLE kvrace
}

// SetQuietHours replaces a clinician's quiet hours.
func (n *Results) SetQuietHours(ctx context.Context, clinicianID string, ranges []string) (Prefs, error) {
	return n.prefs.Update(ctx, clinicianID, func(p *Prefs) error {
		p.Quiet = ranges
		return nil
	})
}

// RenderResultReady builds the clinician message from a result-ready record.
func RenderResultReady(portalURL string) Render {
	return func(rec outbox.Record) (Message, error) {
		parts := strings.Split(string(rec.Payload), "|")
		if len(parts) != 4 {
			return Message{}, fmt.Errorf("notify: malformed payload %q", rec.Payload)
		}
		return Message{
			To:      parts[2],
			Subject: "Result available",
			Body:    fmt.Sprintf("A result is ready for review: %s/results/%s?v=%s", portalURL, parts[0], parts[1]),
			Ref:     parts[0],
		}, nil
	}
}
