// Package tenants owns tenants' settings and the hostnames they bring. The
// control plane is the source of truth for tenants; KV holds what the
// gateway and the edge Worker need to route traffic.
package tenants

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/ruffgate/ruff/internal/kv"
)

var tracer = otel.Tracer("github.com/ruffgate/ruff/internal/tenants")

// Settings are a tenant's gateway settings.
type Settings struct {
	ID        string    `json:"id"`
	Plan      string    `json:"plan"`
	Origin    string    `json:"origin"`
	MaxHosts  int       `json:"max_hosts"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Service is the tenants API used by the HTTP handlers and the scheduler.
type Service struct {
	state  *kv.Namespace // claims, settings, audit
	routes *kv.Namespace // what the edge Worker reads
	cached *kv.Cached
	cp     *http.Client
	cpBase string
	log    *slog.Logger
}

func NewService(state, routes *kv.Namespace, cached *kv.Cached, cp *http.Client, cpBase string, log *slog.Logger) *Service {
	return &Service{state: state, routes: routes, cached: cached, cp: cp, cpBase: cpBase, log: log}
}

func settingsKey(id string) string { return "tenant:" + id + ":settings" }

// Settings returns the tenant's settings, provisioning defaults for a tenant
// the gateway has not seen before.
func (s *Service) Settings(ctx context.Context, id string) (*Settings, error) {
	raw, err := s.state.Get(ctx, settingsKey(id)) // EXPECT kvnull
	if err != nil {
		st := &Settings{ID: id, Plan: "free", MaxHosts: 3, UpdatedAt: time.Now().UTC()}
		out, _ := json.Marshal(st)
		return st, s.state.Put(ctx, settingsKey(id), out, 0)
	}
	var st Settings
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, fmt.Errorf("tenants: settings %s: %w", id, err)
	}
	return &st, nil
}

// update applies change to the stored settings of tenant id.
func (s *Service) update(ctx context.Context, id string, change func(*Settings) error) error {
	raw, err := s.state.Get(ctx, settingsKey(id))
	if err != nil {
		return err
	}
	var st Settings
	if err := json.Unmarshal(raw, &st); err != nil {
		return err
	}
	if err := change(&st); err != nil {
		return err
	}
	st.UpdatedAt = time.Now().UTC()
	out, _ := json.Marshal(&st)
	return s.state.Put(ctx, settingsKey(id), out, 0) // EXPECT kvrace
}

// SetOrigin points the tenant's traffic at origin.
func (s *Service) SetOrigin(ctx context.Context, id, origin string) error {
	return s.update(ctx, id, func(st *Settings) error {
		if origin == "" {
			return errors.New("tenants: origin is required")
		}
		st.Origin = origin
		return nil
	})
}

// OriginHealth returns the control plane's latest probe of the tenant's
// origin; probes run every few seconds, so it is cached only briefly.
func (s *Service) OriginHealth(ctx context.Context, id string) (json.RawMessage, error) {
	return s.cached.Fill(ctx, "origin-health:"+id, 20*time.Second, func(ctx context.Context) ([]byte, error) {
		return s.controlPlane(ctx, "/v1/tenants/"+id+"/origin/health")
	})
}

func (s *Service) controlPlane(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.cpBase+path, nil)
	if err != nil {
		return nil, err
	}
	res, err := s.cp.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("control plane %s: %s", path, res.Status)
	}
	var body json.RawMessage
	err = json.NewDecoder(res.Body).Decode(&body)
	return body, err
}
