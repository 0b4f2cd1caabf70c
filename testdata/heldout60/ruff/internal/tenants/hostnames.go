package tenants

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/net/idna"

	"github.com/ruffgate/ruff/internal/kv"
)

var (
	ErrHostnameTaken = errors.New("tenants: hostname is already claimed")
	ErrTooManyHosts  = errors.New("tenants: hostname limit reached for plan")
)

// Claim records that a hostname belongs to a tenant.
type Claim struct {
	Tenant    string    `json:"tenant"`
	Hostname  string    `json:"hostname"`
	ClaimedAt time.Time `json:"claimed_at"`
	Verified  bool      `json:"verified"`
}

func hostKey(h string) string       { return "host:" + h }
func hostIndexKey(id string) string { return "tenant:" + id + ":hostnames" }

func normalise(h string) (string, error) {
	return idna.Lookup.ToASCII(strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), "."))
}

// ClaimHostname assigns hostname to tenant id.
func (s *Service) ClaimHostname(ctx context.Context, id, hostname string) (*Claim, error) {
	ctx, span := tracer.Start(ctx, "tenants.claim", trace.WithAttributes(attribute.String("tenant.id", id)))
	defer span.End()

	host, err := normalise(hostname)
	if err != nil {
		return nil, fmt.Errorf("tenants: %q: %w", hostname, err)
	}
	st, err := s.Settings(ctx, id)
	if err != nil {
		return nil, err
	}
	hosts, err := s.hostnames(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(hosts) >= st.MaxHosts {
		return nil, ErrTooManyHosts
	}
	if _, err := s.state.Get(ctx, hostKey(host)); err == nil {
		return nil, ErrHostnameTaken
	} else if !errors.Is(err, kv.ErrNotFound) {
		return nil, err
	}
	claim := &Claim{Tenant: id, Hostname: host, ClaimedAt: time.Now().UTC()}
	raw, _ := json.Marshal(claim)
	if err := s.state.Put(ctx, hostKey(host), raw, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	if err := s.addToIndex(ctx, id, host); err != nil {
		return nil, err
	}
	s.Audit(ctx, id, "hostname.claimed "+host)
	return claim, nil
}

func (s *Service) hostnames(ctx context.Context, id string) ([]string, error) {
	raw, err := s.state.Get(ctx, hostIndexKey(id))
	if errors.Is(err, kv.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var hosts []string
	return hosts, json.Unmarshal(raw, &hosts)
}

func (s *Service) addToIndex(ctx context.Context, id string, added ...string) error {
	hosts, err := s.hostnames(ctx, id)
	if err != nil {
		return err
	}
	idx, _ := json.Marshal(append(hosts, added...))
	return s.state.Put(ctx, hostIndexKey(id), idx, 0) // EXPECT kvrace
}

// Owner returns the claim on hostname.
func (s *Service) Owner(ctx context.Context, hostname string) (*Claim, error) {
	host, err := normalise(hostname)
	if err != nil {
		return nil, err
	}
	raw, err := s.state.Get(ctx, hostKey(host))
	if err != nil {
		return nil, err
	}
	var c Claim
	return &c, json.Unmarshal(raw, &c)
}

// ImportHostnames claims hostnames for a tenant moving from another
// provider; hostnames claimed by someone else are skipped and returned.
// Progress is published for the dashboard while the import runs.
func (s *Service) ImportHostnames(ctx context.Context, id, batch string, hostnames []string) (skipped []string, err error) {
	var imported []string
	progressKey := "tenant:" + id + ":import:" + batch
	for i, h := range hostnames {
		host, err := normalise(h)
		if err != nil {
			skipped = append(skipped, h)
			continue
		}
		if c, err := s.Owner(ctx, host); err == nil && c.Tenant != id {
			skipped = append(skipped, h)
			continue
		}
		raw, _ := json.Marshal(Claim{Tenant: id, Hostname: host, ClaimedAt: time.Now().UTC()})
		if err := s.state.Put(ctx, hostKey(host), raw, 0); err != nil { // EXPECT kvrace
			return skipped, err
		}
		imported = append(imported, host)
		progress := fmt.Sprintf(`{"done":%d,"total":%d,"skipped":%d}`, i+1, len(hostnames), len(skipped))
		if err := s.state.Put(ctx, progressKey, []byte(progress), 24*time.Hour); err != nil { // EXPECT kvhotkey
			return skipped, err
		}
	}
	return skipped, s.addToIndex(ctx, id, imported...)
}
