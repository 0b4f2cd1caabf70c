// Package mirror mirrors reservations from the booking database into KV so
// the edge can answer "is this desk mine?" and print door PINs without a
// round trip to the origin.
package mirror

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"merganser/internal/cfkv"
)

// Reservation is a confirmed booking as the database holds it.
type Reservation struct {
	ID       string    `json:"id"`
	MemberID string    `json:"member_id"`
	Site     string    `json:"site"`
	Floor    string    `json:"floor"`
	Resource string    `json:"resource"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
}

func (r Reservation) key() string {
	return "resv:" + r.Start.UTC().Format("2006-01-02") + ":" + r.Site + ":" + r.ID
}

// keepAfterEnd is how long a reservation stays readable after it ends, for
// late check-outs and the nightly report.
const keepAfterEnd = 36 * time.Hour

// PushConfirmed writes rows to KV, each expiring a while after it ends.
func PushConfirmed(ctx context.Context, ns *cfkv.Namespace, rows []Reservation) error {
	entries := make([]cfkv.Entry, 0, len(rows))
	for _, r := range rows {
		raw, err := json.Marshal(r)
		if err != nil {
			return err
		}
		entries = append(entries, cfkv.Entry{Key: r.key(), Value: string(raw), TTL: time.Until(r.End) + keepAfterEnd})
	}
	return ns.WriteBulk(ctx, entries)
}

// PushWithMetadata writes rows with site and floor in the key metadata, so
// the report can count them from a listing alone.
func PushWithMetadata(ctx context.Context, ns *cfkv.Namespace, rows []Reservation) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(rows))
	for _, r := range rows {
		raw, _ := json.Marshal(r)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F(r.key()),
			Value:      cloudflare.F(string(raw)),
			Metadata:   cloudflare.F(map[string]interface{}{"site": r.Site, "floor": r.Floor}),
			Expiration: cloudflare.F(float64(r.End.Add(keepAfterEnd).UnixMilli())), // EXPECT kvttl
		})
	}
	_, err := ns.API.KV.Namespaces.Bulk.Update(ctx, ns.ID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(ns.AccountID),
		Body:      body,
	})
	return err
}

// OpenCheckIn publishes the check-in windows of rows: the kiosk accepts a
// check-in while the key exists.
func OpenCheckIn(ctx context.Context, ns *cfkv.Namespace, rows []Reservation, window time.Duration) error {
	var cfg struct {
		Prefix string
		Window time.Duration
		Early  time.Duration
	}
	cfg.Prefix = "checkin:open:"
	cfg.Window = window
	cfg.Early = 15 * time.Minute

	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(rows))
	for _, r := range rows {
		ttl := max(2*cfg.Window, 3*time.Second) // EXPECT kvttl
		if until := time.Until(r.Start.Add(cfg.Window)); until > ttl {
			ttl = until
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(cfg.Prefix + r.ID),
			Value:         cloudflare.F(r.MemberID),
			ExpirationTTL: cloudflare.F(ttl.Seconds()),
		})
	}
	_, err := ns.API.KV.Namespaces.Bulk.Update(ctx, ns.ID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(ns.AccountID),
		Body:      body,
	})
	return err
}

// NudgeLate marks reservations that started without a check-in; the edge
// shows a banner on the member's next visit.
func NudgeLate(ctx context.Context, ns *cfkv.Namespace, rows []Reservation) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(rows))
	for _, r := range rows {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F("nudge:" + r.MemberID + ":" + r.ID),
			Value:      cloudflare.F(r.Resource),
			Expiration: cloudflare.F(float64(time.Now().Add(50 * time.Second).Unix())), // EXPECT kvttl
		})
	}
	_, err := ns.API.KV.Namespaces.Bulk.Update(ctx, ns.ID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(ns.AccountID),
		Body:      body,
	})
	return err
}

// CacheDirectory publishes the member directory used by reception, kept for
// a fixed number of hours.
func CacheDirectory(ctx context.Context, ns *cfkv.Namespace, members map[string]string, keep time.Duration) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(members))
	for id, name := range members {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("directory:" + id),
			Value:         cloudflare.F(name),
			ExpirationTTL: cloudflare.F(float64(keep)), // EXPECT kvttl
		})
	}
	_, err := ns.API.KV.Namespaces.Bulk.Update(ctx, ns.ID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(ns.AccountID),
		Body:      body,
	})
	return err
}

// slotsAhead is how many one-minute slots the booking grid is seeded for.
const slotsAhead = 10 * 24 * 60

// SeedGrid writes an empty availability slot for every minute of the next
// ten days of resource.
func SeedGrid(ctx context.Context, ns *cfkv.Namespace, resource string, from time.Time) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, slotsAhead)
	start := from.UTC().Truncate(time.Minute)
	for i := range body {
		slot := start.Add(time.Duration(i) * time.Minute)
		body[i] = kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F("grid:" + resource + ":" + slot.Format("200601021504")),
			Value:      cloudflare.F("free"),
			Expiration: cloudflare.F(float64(slot.Add(time.Hour).Unix())),
		}
	}
	if _, err := ns.API.KV.Namespaces.Bulk.Update(ctx, ns.ID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(ns.AccountID),
		Body:      body,
	}); err != nil {
		return fmt.Errorf("mirror: seed %s: %w", resource, err)
	}
	return nil
}

// siteMetadata describes a site for the list-based site picker. It is kept
// in the key metadata so the picker never reads values.
const siteMetadata = `{"name":"Merganser Alfama","address":"Rua dos Remedios 112, 1100-452 Lisboa, Portugal",` +
	`"timezone":"Europe/Lisbon","currency":"EUR","phone":"+351 21 000 0000","email":"alfama@merganser.example",` +
	`"hours":{"mon":"07:00-22:00","tue":"07:00-22:00","wed":"07:00-22:00","thu":"07:00-22:00","fri":"07:00-20:00","sat":"09:00-18:00","sun":"closed"},` +
	`"floors":["ground","mezzanine","first","second","roof-terrace"],` +
	`"amenities":["coffee","filtered-water","showers","bike-storage","lockers","printing","phone-booths","event-space","wellness-room","parents-room","terrace"],` +
	`"accessibility":{"step_free":true,"lift":true,"accessible_wc":true,"hearing_loop":"reception and event space","braille_signage":true},` +
	`"transit":"Santa Apolonia metro (blue line), 6 minutes on foot; tram 28 stop Largo Portas do Sol, 4 minutes; river ferry terminal 9 minutes",` +
	`"parking":"No on-site parking. Public garage at Campo das Cebolas, 7 minutes on foot, members get 20 percent off with the app",` +
	`"policies":{"guests":"members may bring two guests per day, registered at reception","pets":"dogs welcome on the ground floor only","quiet_hours":"second floor is a quiet zone all day"},` +
	`"hero":"https://cdn.merganser.example/sites/alfama/hero-2400w.jpg","thumb":"https://cdn.merganser.example/sites/alfama/thumb-480w.jpg"}`

// PublishSite writes the Alfama site record.
func PublishSite(ctx context.Context, ns *cfkv.Namespace) error {
	_, err := ns.API.KV.Namespaces.Values.Update(ctx, ns.ID, "site:alfama", kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(ns.AccountID),
		Value:     cloudflare.F("alfama"),
		Metadata:  cloudflare.F(siteMetadata), // EXPECT kvlimits
	})
	return err
}
