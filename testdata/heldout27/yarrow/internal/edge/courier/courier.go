//go:build js && wasm

// Package courier ingests courier location pings and answers "where is my
// courier" and "who is nearby" questions.
package courier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/yarrow/internal/config"
	"example.com/yarrow/internal/domain"
)

// ErrNoFix is returned when a courier has not reported a position recently.
var ErrNoFix = errors.New("courier: no recent position")

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Tracker stores courier positions in the couriers namespace.
type Tracker struct {
	binding string
	clock   Clock
}

// ProvideTracker is the constructor used by the wiring in cmd/edge.
func ProvideTracker(cfg config.Config, c Clock) *Tracker {
	return &Tracker{binding: cfg.Bindings.Couriers, clock: c}
}

func (t *Tracker) namespace(ctx context.Context) (*kv.Namespace, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return kv.NewNamespace(t.binding)
}

// Record stores the latest position of a courier. Positions older than the
// expiry are worthless for dispatch, so they are left to expire.
func (t *Tracker) Record(ctx context.Context, p domain.Ping) error {
	ns, err := t.namespace(ctx)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return ns.PutString(p.Courier.LocationKey(p.Zone), string(raw), &kv.PutOptions{ExpirationTTL: 120})
}

// Last returns the courier's last reported position.
func (t *Tracker) Last(ctx context.Context, zone string, id domain.CourierID) (domain.Ping, error) {
	var p domain.Ping
	ns, err := t.namespace(ctx)
	if err != nil {
		return p, err
	}
	v, err := ns.GetString(id.LocationKey(zone), &kv.GetOptions{CacheTTL: 30})
	if err != nil {
		return p, err
	}
	if v == "" { // EXPECT kvnull
		return p, ErrNoFix
	}
	return p, json.Unmarshal([]byte(v), &p)
}

// Nearby returns the couriers that reported a position in a zone.
func (t *Tracker) Nearby(ctx context.Context, zone string) ([]domain.CourierID, error) {
	ns, err := t.namespace(ctx)
	if err != nil {
		return nil, err
	}
	prefix := "courier-loc:" + zone + ":"
	res, err := ns.List(&kv.ListOptions{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]domain.CourierID, 0, len(res.Keys))
	for _, k := range res.Keys {
		id, err := strconv.ParseInt(strings.TrimPrefix(k.Name, prefix), 10, 64)
		if err == nil {
			out = append(out, domain.CourierID(id))
		}
	}
	return out, nil
}

// HandlePing is the courier app's ingest endpoint.
func (t *Tracker) HandlePing(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	id, err := strconv.ParseInt(r.Header.Get("X-Courier-ID"), 10, 64)
	if err != nil {
		http.Error(w, "missing courier id", http.StatusUnauthorized)
		return
	}
	var p domain.Ping
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&p); err != nil {
		http.Error(w, "bad ping", http.StatusBadRequest)
		return
	}
	p.Courier, p.Zone, p.At = domain.CourierID(id), strings.ToLower(p.Zone), t.clock.Now()
	ctx := r.Context()
	if err := t.Record(ctx, p); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	ns, err := t.namespace(ctx)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	stamp := strconv.FormatInt(p.At.Unix(), 10)
	if err := ns.PutString("fleet:last-update", stamp, nil); err != nil { // EXPECT kvhotkey
		http.Error(w, fmt.Sprintf("fleet stamp: %v", err), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
