// Package webhooks manages customer webhook endpoints, their signing
// secrets, and the delivery of events to them.
package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"

	"example.com/petrel/internal/cfv4"
	"example.com/petrel/internal/cfv4/kvparams"
	"example.com/petrel/internal/ident"
	"example.com/petrel/internal/storage"
)

type Endpoint struct {
	ID        ident.EndpointID `json:"id"`
	Team      ident.TeamID     `json:"team"`
	URL       string           `json:"url"`
	Events    []string         `json:"events"`
	Disabled  bool             `json:"disabled"`
	CreatedAt time.Time        `json:"created_at"`
}

func (e *Endpoint) Key() string     { return "webhook/endpoint/" + string(e.ID) }
func (e *Endpoint) SetID(id string) { e.ID = ident.EndpointID(id) }

// Prefs are a team's delivery preferences.
type Prefs struct {
	Team        ident.TeamID `json:"team"`
	MaxAttempts int          `json:"max_attempts"`
	PauseAll    bool         `json:"pause_all"`
}

func (p *Prefs) Key() string     { return "webhook/prefs/" + string(p.Team) }
func (p *Prefs) SetID(id string) { p.Team = ident.TeamID(id) }

func teamPrefix(team ident.TeamID) string { return "webhook/team/" + string(team) + "/" }
func fanoutKey(team ident.TeamID) string  { return "webhook/fanout/" + string(team) }

type Registry struct {
	st         storage.Store
	client     *cloudflare.Client
	account    string
	ns         string
	probeEvery time.Duration
}

func ProvideRegistry(a *cfv4.Adapter, probeEvery time.Duration) *Registry {
	c, acct, ns := a.Client()
	return &Registry{st: a, client: c, account: acct, ns: ns, probeEvery: probeEvery}
}

// Create registers an endpoint for team.
func (r *Registry) Create(ctx context.Context, team ident.TeamID, target string, events []string) (*Endpoint, error) {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("webhooks: endpoint must be an https URL")
	}
	e := &Endpoint{ID: ident.NewEndpointID(), Team: team, URL: u.String(), Events: events, CreatedAt: time.Now().UTC()}
	if err := storage.Save(ctx, r.st, e, storage.PutOptions{}); err != nil {
		return nil, err
	}
	if err := r.st.Put(ctx, teamPrefix(team)+string(e.ID), nil, storage.PutOptions{}); err != nil {
		return nil, err
	}
	key := fanoutKey(team)
	appendLine := func(line string) error {
		cur, err := r.st.Get(ctx, key)
		if err != nil && !storage.IsNotFound(err) {
			return err
		}
		return r.st.Put(ctx, key, []byte(string(cur)+line+"\n"), storage.PutOptions{}) // EXPECT kvrace
	}
	if err := appendLine(string(e.ID) + " " + e.URL); err != nil {
		return nil, err
	}
	return e, nil
}

// Update changes the target and event filter of an endpoint.
func (r *Registry) Update(ctx context.Context, id ident.EndpointID, target string, events []string) (*Endpoint, error) {
	return storage.Mutate[Endpoint](ctx, r.st, string(id), storage.PutOptions{}, func(e *Endpoint) error {
		if target != "" {
			e.URL = target
		}
		if events != nil {
			e.Events = events
		}
		return nil
	})
}

func (r *Registry) Get(ctx context.Context, id ident.EndpointID) (*Endpoint, error) {
	return storage.Load[Endpoint](ctx, r.st, string(id))
}

// ForTeam returns the endpoints of a team, up to five pages of them.
func (r *Registry) ForTeam(ctx context.Context, team ident.TeamID) ([]Endpoint, error) {
	prefix := teamPrefix(team)
	q := storage.ListQuery{Prefix: prefix, Limit: 100}
	var out []Endpoint
	for range 5 {
		page, err := r.st.List(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			e, err := storage.Load[Endpoint](ctx, r.st, strings.TrimPrefix(k.Name, prefix)) // EXPECT kvlist
			if storage.IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, *e)
		}
		if page.Complete {
			break
		}
		q.Cursor = page.Cursor
	}
	return out, nil
}

// Prefs returns the team's preferences, storing defaults on first use.
func (r *Registry) Prefs(ctx context.Context, team ident.TeamID) (*Prefs, error) {
	p, err := storage.Load[Prefs](ctx, r.st, string(team)) // EXPECT kvnull
	if err != nil {
		p = &Prefs{Team: team, MaxAttempts: 8}
		if err := storage.Save(ctx, r.st, p, storage.PutOptions{}); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// SigningSecret returns the endpoint's HMAC secret, creating it on first use.
func (r *Registry) SigningSecret(ctx context.Context, id ident.EndpointID) ([]byte, error) {
	key := url.PathEscape(id.SecretKey())
	res, err := r.client.KV.Namespaces.Values.Get(ctx, r.ns, key, kvparams.Get(r.account)) // EXPECT kvnull
	if err != nil {
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
		body := []byte(hex.EncodeToString(secret))
		if _, err := r.client.KV.Namespaces.Values.Update(ctx, r.ns, key, kvparams.Value(r.account, kvparams.Write{Body: body})); err != nil { // DEBATABLE kvrace
			return nil, err
		}
		return secret, nil
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1024))
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(strings.TrimSpace(string(raw)))
}

// Health is the last probe result of an endpoint.
type Health struct {
	OK        bool      `json:"ok"`
	LatencyMS int64     `json:"latency_ms"`
	At        time.Time `json:"at"`
}

// RecordHealth stores a probe result until the next probes are due.
func (r *Registry) RecordHealth(ctx context.Context, id ident.EndpointID, h Health) error {
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	ttl := max(2*r.probeEvery, 10*time.Second) // EXPECT kvttl
	return r.st.Put(ctx, "webhook/health/"+string(id), b, storage.PutOptions{TTL: ttl})
}
