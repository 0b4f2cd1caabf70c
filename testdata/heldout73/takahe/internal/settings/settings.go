// Package settings stores fleet-wide settings: check-in intervals, telemetry
// sampling, maintenance windows. Devices read them from the edge.
package settings

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/takahe-iot/takahe/internal/async"
	"github.com/takahe-iot/takahe/internal/kvstore"
)

// Fleet is the settings document of one fleet.
type Fleet struct {
	Name            string         `json:"name"`
	CheckinInterval int            `json:"checkin_interval_s"`
	SampleRate      float64        `json:"sample_rate"`
	Maintenance     []string       `json:"maintenance,omitempty"`
	Extra           map[string]any `json:"extra,omitempty"`
	Revision        int            `json:"revision"`
}

// Defaults are served for fleets without a document.
var Defaults = Fleet{CheckinInterval: 300, SampleRate: 0.1}

// ErrUnknownFleet is returned for fleets that do not exist.
var ErrUnknownFleet = errors.New("settings: unknown fleet")

// missingTTL is how long, in seconds, an unknown fleet is remembered.
const missingTTL = 20

// Store reads and writes fleet settings.
type Store struct {
	NS     *kvstore.Namespace
	Region string
}

func fleetKey(name string) string            { return "settings/fleet/" + name }
func regionKey(region, name string) string   { return "settings/region/" + region + "/" + name }
func decode(raw []byte) (f Fleet, err error) { err = json.Unmarshal(raw, &f); return }
func fetchFleet(ctx context.Context, ns *kvstore.Namespace, key string) *async.Future[Fleet] {
	return async.Then(ns.Fetch(ctx, key), decode)
}

// Get returns the regional override of a fleet's settings if there is one,
// else the global document.
func (s *Store) Get(ctx context.Context, name string) (Fleet, error) {
	f, err := async.Any(ctx,
		fetchFleet(ctx, s.NS, regionKey(s.Region, name)),
		fetchFleet(ctx, s.NS, fleetKey(name)),
	)
	if err == nil {
		return f, nil
	}
	if errors.Is(err, kvstore.ErrNotFound) {
		return Defaults, nil
	}
	return Fleet{}, err
}

// Resolve checks that a fleet exists, remembering unknown fleets for a short
// while so scanners do not hammer the namespace.
func (s *Store) Resolve(ctx context.Context, name string) (Fleet, error) {
	if _, err := s.NS.Get(ctx, "settings/missing/"+name); err == nil {
		return Fleet{}, ErrUnknownFleet
	}
	raw, err := s.NS.Get(ctx, fleetKey(name))
	if errors.Is(err, kvstore.ErrNotFound) {
		_, perr := s.NS.Client.KV.Namespaces.Values.Update(ctx, s.NS.ID, "settings/missing/"+name, kv.NamespaceValueUpdateParams{
			AccountID:     cloudflare.F(s.NS.AccountID),
			Value:         cloudflare.F("1"),
			ExpirationTTL: cloudflare.F(float64(missingTTL)), // EXPECT kvttl
		})
		return Fleet{}, errors.Join(ErrUnknownFleet, perr)
	}
	if err != nil {
		return Fleet{}, err
	}
	return decode(raw)
}

// Patch merges patch into the fleet's document and returns the result.
func (s *Store) Patch(ctx context.Context, name string, patch map[string]any) *async.Future[Fleet] {
	return async.Go(func() (Fleet, error) {
		cur := Defaults
		raw, err := s.NS.Get(ctx, fleetKey(name)) // EXPECT kvnull
		if err == nil {
			if cur, err = decode(raw); err != nil {
				return Fleet{}, err
			}
		}
		cur.Name = name
		if cur.Extra == nil {
			cur.Extra = map[string]any{}
		}
		maps.Copy(cur.Extra, patch)
		if v, ok := patch["checkin_interval_s"].(float64); ok {
			cur.CheckinInterval = int(v)
		}
		cur.Revision++
		out, _ := json.Marshal(cur)
		return cur, s.NS.Put(ctx, fleetKey(name), out, 0) // EXPECT kvrace
	})
}

// Replace stores a complete document, as written by the console's editor.
func (s *Store) Replace(ctx context.Context, f Fleet) error {
	out, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if err := s.NS.Put(ctx, fleetKey(f.Name), out, 0); err != nil {
		return err
	}
	return s.NS.Delete(ctx, "settings/missing/"+f.Name)
}

// Export returns up to maxKeys setting keys for backup.
func (s *Store) Export(ctx context.Context, maxKeys int) ([]string, error) {
	var out []string
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.NS.AccountID),
		Prefix:    cloudflare.F("settings/fleet/"),
		Limit:     cloudflare.F(2000.0), // EXPECT kvlimits
	}
	for len(out) < maxKeys {
		page, err := s.NS.Client.KV.Namespaces.Keys.List(ctx, s.NS.ID, params)
		if err != nil {
			return out, err
		}
		for _, k := range page.Result {
			out = append(out, k.Name)
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return out, nil
}

// Watch polls the fleet's revision and calls fn when it changes.
func (s *Store) Watch(ctx context.Context, name string, every time.Duration, fn func(Fleet)) {
	rev := -1
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if f, err := s.Get(ctx, name); err == nil && f.Revision != rev {
			rev = f.Revision
			fn(f)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
