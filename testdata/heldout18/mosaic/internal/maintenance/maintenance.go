//go:build js && wasm

// Package maintenance reads and sets the maintenance flags that put the
// gallery into read-only or offline mode, and shows the banner text.
package maintenance

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/mosaic/internal/storage"
)

const (
	flagKey     = "flags:maintenance"
	readOnlyKey = "flags:read-only"
	bannerKey   = "flags:banner"
	beaconKey   = "maintenance:last-request"
	nullValue   = "<null>"
)

// Flag is the maintenance switch.
type Flag struct {
	Enabled bool      `json:"enabled"`
	Message string    `json:"message"`
	Until   time.Time `json:"until"`
	SetBy   string    `json:"set_by"`
}

// Flags reads and writes maintenance flags.
type Flags struct {
	ns     *kv.Namespace
	banner storage.Getter
	log    *slog.Logger
}

// New returns flags over ns.
func New(ns *kv.Namespace, log *slog.Logger) *Flags {
	return &Flags{
		ns: ns,
		banner: storage.GetterFunc(func(_ context.Context, key string) ([]byte, error) {
			s, err := ns.GetString(key, &kv.GetOptions{CacheTTL: 120})
			return []byte(s), err
		}),
		log: log,
	}
}

// Current returns the maintenance flag; a missing flag means "off".
func (f *Flags) Current() (Flag, error) {
	raw, err := f.ns.GetString(flagKey, &kv.GetOptions{CacheTTL: 60})
	if err != nil {
		return Flag{}, err
	}
	if raw == nullValue {
		return Flag{}, nil
	}
	var fl Flag
	if err := json.Unmarshal([]byte(raw), &fl); err != nil {
		return Flag{}, err
	}
	return fl, nil
}

// ReadOnly reports whether writes are suspended.
func (f *Flags) ReadOnly(context.Context) bool {
	v, err := f.ns.GetString(readOnlyKey, &kv.GetOptions{CacheTTL: 60})
	if err != nil {
		f.log.Warn("read-only flag unavailable", "err", err)
		return false
	}
	return v == "true"
}

// Banner returns the notice shown above the gallery, or "".
func (f *Flags) Banner(ctx context.Context) string {
	b, err := f.banner.Get(ctx, bannerKey)
	if err != nil || len(b) == 0 { // EXPECT kvnull
		return ""
	}
	return string(b)
}

// Enable turns maintenance on until the given time; KV drops the flag by
// itself when the window ends.
func (f *Flags) Enable(msg, by string, until time.Time) error {
	raw, err := json.Marshal(Flag{Enabled: true, Message: msg, Until: until, SetBy: by})
	if err != nil {
		return err
	}
	return f.ns.PutString(flagKey, string(raw), &kv.PutOptions{
		Expiration: int(until.UnixMilli()), // EXPECT kvttl
	})
}

// ToggleReadOnly flips the read-only switch from the admin console.
func (f *Flags) ToggleReadOnly(by string) (bool, error) {
	v, err := f.ns.GetString(readOnlyKey, nil)
	if err != nil {
		return false, err
	}
	next := !(v == "true")
	if err := f.ns.PutString(readOnlyKey, strconv.FormatBool(next), nil); err != nil { // DEBATABLE kvrace
		return false, err
	}
	f.log.Info("read-only toggled", "by", by, "enabled", next)
	return next, nil
}

// Gate answers 503 while maintenance is on and records a liveness beacon
// for the status page.
func (f *Flags) Gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fl, err := f.Current()
		if err != nil {
			f.log.Warn("maintenance flag unavailable", "err", err)
		}
		if fl.Enabled && r.URL.Path != "/healthz" {
			w.Header().Set("Retry-After", "300")
			http.Error(w, fl.Message, http.StatusServiceUnavailable)
			return
		}
		stamp := strconv.FormatInt(time.Now().Unix(), 10)
		if err := f.ns.PutString(beaconKey, stamp, nil); err != nil { // EXPECT kvhotkey
			f.log.Debug("beacon write failed", "err", err)
		}
		next.ServeHTTP(w, r)
	})
}
