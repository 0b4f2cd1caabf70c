package booking

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"github.com/toutouwai/booking/internal/kvstore"
)

// Template is one recurring slot of the weekly timetable.
type Template struct {
	Weekday  time.Weekday
	At       string // "09:30"
	Service  string
	Staff    string
	Length   time.Duration
	Capacity int
}

// OpenCalendar creates the slots of the next days from the weekly template.
// Slots expire a day after they end.
func OpenCalendar(ctx context.Context, ns *kvstore.Namespace, from time.Time, days int, week []Template) (int, error) {
	var entries []kvstore.Entry
	for d := range days {
		day := from.AddDate(0, 0, d)
		for _, t := range week {
			if t.Weekday != day.Weekday() {
				continue
			}
			clock, err := time.ParseInLocation("15:04", t.At, from.Location())
			if err != nil {
				return 0, fmt.Errorf("template %s: %w", t.At, err)
			}
			start := time.Date(day.Year(), day.Month(), day.Day(), clock.Hour(), clock.Minute(), 0, 0, from.Location())
			s := Slot{
				ID: fmt.Sprintf("%s-%s", start.Format("1504"), t.Staff), Service: t.Service, Staff: t.Staff,
				Start: start, Length: t.Length, Capacity: t.Capacity,
			}
			b, err := json.Marshal(s)
			if err != nil {
				return 0, err
			}
			entries = append(entries, kvstore.Entry{
				Key: Key(start.Format(DateLayout), s.ID), Value: b, Meta: meta(s),
				TTL: time.Until(start.Add(t.Length + 24*time.Hour)),
			})
		}
	}
	return len(entries), ns.WriteMany(ctx, entries)
}

// gridDays is how far ahead the minute grid reaches.
const gridDays = 14

// PublishMinuteGrid writes one marker per minute of the next two weeks so
// the edge worker can grey out times without reading slots.
func PublishMinuteGrid(ctx context.Context, ns *kvstore.Namespace, from time.Time, busy map[string]bool) error {
	const minutes = gridDays * 24 * 60
	from = from.Truncate(time.Minute)
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, minutes)
	for i := range minutes {
		t := from.Add(time.Duration(i) * time.Minute)
		stamp := t.Format("200601021504")
		state := "free"
		if busy[stamp] {
			state = "busy"
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F("grid:" + stamp),
			Value:      cloudflare.F(state),
			Expiration: cloudflare.F(float64(t.Add(time.Hour).Unix())),
		})
	}
	_, err := ns.Client().KV.Namespaces.Bulk.Update(ctx, ns.ID(), kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(ns.AccountID()),
		Body:      body,
	})
	return err
}

// closureLifetime is how long a closure notice stays up.
const closureLifetime = 7 * 24 * time.Hour

// PublishClosures writes the notices for days the business is closed.
func PublishClosures(ctx context.Context, ns *kvstore.Namespace, closed map[string]string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(closed))
	for date, reason := range closed {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("closed:" + date),
			Value:         cloudflare.F(reason),
			ExpirationTTL: cloudflare.F(float64(closureLifetime)), // EXPECT kvttl
		})
	}
	if len(body) == 0 {
		return nil
	}
	_, err := ns.Client().KV.Namespaces.Bulk.Update(ctx, ns.ID(), kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(ns.AccountID()),
		Body:      body,
	})
	return err
}
