// Package shadow keeps device shadows: the last reported state of a device
// and the state operators want it to converge to.
package shadow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/takahe-iot/takahe/internal/async"
	"github.com/takahe-iot/takahe/internal/kvstore"
)

// Shadow is the stored document for one device.
type Shadow struct {
	DeviceID  string         `json:"device_id"`
	Reported  map[string]any `json:"reported"`
	Desired   map[string]any `json:"desired"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// View is the rendered delta served to dashboards.
type View struct {
	DeviceID string         `json:"device_id"`
	Delta    map[string]any `json:"delta"`
	InSync   bool           `json:"in_sync"`
}

// Service reads and writes shadows.
type Service struct {
	ns      *kvstore.Namespace
	viewTTL time.Duration
}

// NewService returns a Service over ns.
func NewService(ns *kvstore.Namespace) *Service {
	return &Service{ns: ns, viewTTL: 5 * time.Minute}
}

func shadowKey(id string) string { return "shadow/" + id }
func viewKey(id string) string   { return "shadow-view/" + id }

// Load returns the shadow of id, or an empty shadow for a device that never
// reported.
func (s *Service) Load(ctx context.Context, id string) *async.Future[Shadow] {
	return async.Go(func() (Shadow, error) {
		raw, err := s.ns.Get(ctx, shadowKey(id))
		if errors.Is(err, kvstore.ErrNotFound) {
			return Shadow{DeviceID: id, Reported: map[string]any{}, Desired: map[string]any{}}, nil
		}
		if err != nil {
			return Shadow{}, err
		}
		var sh Shadow
		if err := json.Unmarshal(raw, &sh); err != nil {
			return Shadow{}, fmt.Errorf("shadow %s: %w", id, err)
		}
		return sh, nil
	})
}

// Report merges reported state into the device's shadow.
func (s *Service) Report(ctx context.Context, id string, reported map[string]any) *async.Future[Shadow] {
	return async.Then(s.Load(ctx, id), func(sh Shadow) (Shadow, error) {
		if sh.Reported == nil {
			sh.Reported = map[string]any{}
		}
		maps.Copy(sh.Reported, reported)
		sh.UpdatedAt = time.Now().UTC()
		raw, err := json.Marshal(sh)
		if err != nil {
			return Shadow{}, err
		}
		return sh, s.ns.Put(ctx, shadowKey(id), raw, 0) // EXPECT kvrace
	})
}

// Snapshot loads many shadows concurrently.
func (s *Service) Snapshot(ctx context.Context, ids []string) ([]Shadow, error) {
	fs := make([]*async.Future[Shadow], len(ids))
	for i, id := range ids {
		fs[i] = s.Load(ctx, id)
	}
	return async.All(ctx, fs...)
}

// Render returns the dashboard view of a shadow, cached for a few minutes.
func (s *Service) Render(ctx context.Context, id string) (View, error) {
	raw, err := s.ns.Get(ctx, viewKey(id))
	if err == nil {
		var v View
		if json.Unmarshal(raw, &v) == nil {
			return v, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return View{}, err
	}
	sh, err := s.Load(ctx, id).Await(ctx)
	if err != nil {
		return View{}, err
	}
	v := View{DeviceID: id, Delta: delta(sh.Desired, sh.Reported)}
	v.InSync = len(v.Delta) == 0
	out, _ := json.Marshal(v)
	return v, s.ns.Put(ctx, viewKey(id), out, s.viewTTL)
}

// Revision returns the firmware revision a device last reported.
func (s *Service) Revision(ctx context.Context, id string) (string, error) {
	raw, err := s.ns.Get(ctx, "shadow-rev/"+id)
	if err != nil {
		return "", err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return "unknown", nil
	}
	return string(raw), nil
}

// SetRevision records the revision reported by a device at check-in.
func (s *Service) SetRevision(ctx context.Context, id, rev string) error {
	return s.ns.Put(ctx, "shadow-rev/"+id, []byte(rev), 0)
}

func delta(desired, reported map[string]any) map[string]any {
	out := map[string]any{}
	for k, want := range desired {
		if got, ok := reported[k]; !ok || fmt.Sprint(got) != fmt.Sprint(want) {
			out[k] = want
		}
	}
	return out
}
