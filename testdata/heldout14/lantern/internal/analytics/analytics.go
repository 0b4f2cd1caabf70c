//go:build js && wasm

// Package analytics records page views and serves the trending lists that
// the nightly job computes from them.
package analytics

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/lantern/internal/keys"
	"example.com/lantern/internal/kvstore"
)

// Recorder writes to the analytics namespace.
type Recorder struct {
	ns  *kv.Namespace
	now func() time.Time
}

// New returns a Recorder.
func New(ns *kv.Namespace) *Recorder { return &Recorder{ns: ns, now: time.Now} }

func nonce() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// View logs one page view of an event. Each view is its own key; the nightly
// job lists a day's views and aggregates them in D1.
func (r *Recorder) View(eventID, referrer string) error {
	now := r.now().UTC()
	key := strings.Join([]string{"view", keys.Day(now), eventID, now.Format("150405.000"), nonce()}, ":")
	opts := &kv.PutOptions{ExpirationTTL: 3 * 24 * 3600}
	if err := r.ns.PutString(key, referrer, opts); err != nil {
		return err
	}
	return r.ns.PutString("stats:last-view", now.Format(time.RFC3339), nil) // EXPECT kvhotkey
}

// Trending returns the event IDs computed by the last nightly run.
func (r *Recorder) Trending() ([]string, error) {
	raw, err := r.ns.GetString("trending:v2", &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil || raw == kvstore.Null {
		return nil, err
	}
	var ids []string
	err = json.Unmarshal([]byte(raw), &ids)
	return ids, err
}

// SetLiveBanner shows a "happening now" banner until the event ends.
func (r *Recorder) SetLiveBanner(eventID, text string, endsAt time.Time) error {
	if floor := r.now().Add(2 * time.Minute); endsAt.Before(floor) {
		endsAt = floor
	}
	return r.ns.PutString("live:"+eventID, text, &kv.PutOptions{Expiration: int(endsAt.Unix())})
}

// LiveBanner returns the banner of an event, if one is set.
func (r *Recorder) LiveBanner(eventID string) (string, bool) {
	v, err := r.ns.GetString("live:"+eventID, nil)
	if err != nil || strings.TrimSpace(v) == "" { // EXPECT kvnull
		return "", false
	}
	return v, true
}
