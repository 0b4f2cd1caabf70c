// Package statuspage serves status.tollgate.dev. Component states are probed
// from upstream health endpoints and cached in KV so the page renders even
// when the probes are slow.
package statuspage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"github.com/tollgate-dev/phalarope/internal/clock"
	"github.com/tollgate-dev/phalarope/internal/kvnext"
	"github.com/tollgate-dev/phalarope/internal/retry"
)

const (
	componentPrefix = "status:component:"
	incidentPrefix  = "status:incident:"
	subdomainPrefix = "status:subdomain:"
	summaryKey      = "status:summary"
	lastViewedKey   = "status:last-viewed"

	summaryTTL   = 5 * time.Minute
	probeLockTTL = 30

	maintenanceNotice = `Scheduled maintenance: between 02:00 and 04:00 UTC on the first Sunday of each month the API gateway, the dashboard and the webhook dispatcher are upgraded one region at a time. During the window, requests to api.tollgate.dev may see elevated latency (p99 up to 800 ms) and occasional 503 responses with a Retry-After header; the CLI retries these automatically. Device-code logins started during the window may need to be restarted. Webhook deliveries are queued, not dropped, and are sent in order once the dispatcher in your region is back; delivery state on the dashboard may lag by a few minutes. Usage metering continues throughout and no requests are billed twice. Personal access tokens and API keys remain valid. If you rely on webhooks for billing events, we recommend reconciling against the /v1/usage endpoint after the window. Subscribe to this page or to @tollgatestatus for updates, and contact support@tollgate.dev quoting your organisation ID if you see errors after 04:30 UTC. Enterprise customers with a dedicated region receive a separate notice from their account manager at least fourteen days in advance.`

	componentsQuery = `query StatusComponents($org: ID!, $region: String) {
  organisation(id: $org) {
    components(region: $region, includeDependencies: true) {
      id
      name
      group { id name }
      status
      updatedAt
      uptime(window: DAYS_90) { day ratio }
      incidents(state: OPEN) { id title impact startedAt updates { at body status } }
      dependencies { id name status }
      maintenance(state: SCHEDULED) { id title startsAt endsAt regions }
      metrics(window: HOURS_24) { latencyP50 latencyP99 errorRate requestsPerSecond }
    }
  }
}`
)

// Component is one row on the status page.
type Component struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Status    string    `json:"status"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Incident is an ongoing or resolved incident.
type Incident struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Updates []Update `json:"updates"`
}

// Update is one post on an incident.
type Update struct {
	At     time.Time `json:"at"`
	Status string    `json:"status"`
	Body   string    `json:"body"`
}

// Summary is the rendered top of the page.
type Summary struct {
	Overall    string      `json:"overall"`
	Components []Component `json:"components"`
	BuiltAt    time.Time   `json:"built_at"`
}

// Service renders and refreshes the status page.
type Service struct {
	Store   *kvnext.Store
	Clock   clock.Clock
	HTTP    *http.Client
	Probes  map[string]string // component ID -> health URL
	Breaker *retry.Breaker
	Log     *slog.Logger
	GQLURL  string
	Holder  string
}

func (s *Service) kvc() *cloudflare.Client { return s.Store.Client }

// ServeHTTP renders the status summary.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sum, err := s.summary(ctx)
	if err != nil {
		http.Error(w, "status unavailable", http.StatusServiceUnavailable)
		return
	}
	if err := s.Store.Put(ctx, lastViewedKey, []byte(s.Clock.Now().UTC().Format(time.RFC3339)), 0); err != nil { // EXPECT kvhotkey
		s.Log.Debug("last viewed", "err", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=30")
	_ = json.NewEncoder(w).Encode(sum)
}

// summary is a read-through cache over the component keys.
func (s *Service) summary(ctx context.Context) (Summary, error) {
	raw, err := s.Store.Get(ctx, summaryKey)
	if err == nil {
		var sum Summary
		if json.Unmarshal(raw, &sum) == nil {
			return sum, nil
		}
	} else if !errors.Is(err, kvnext.ErrNotFound) {
		return Summary{}, err
	}
	comps, err := s.components(ctx)
	if err != nil {
		return Summary{}, err
	}
	sum := build(comps, s.Clock.Now())
	b, _ := json.Marshal(sum)
	return sum, s.Store.Put(ctx, summaryKey, b, summaryTTL)
}

func build(comps []Component, at time.Time) Summary {
	overall := "operational"
	for _, c := range comps {
		if c.Status != "operational" {
			overall = "degraded"
		}
	}
	slices.SortFunc(comps, func(a, b Component) int { return strings.Compare(a.Name, b.Name) })
	return Summary{Overall: overall, Components: comps, BuiltAt: at}
}

// components reads every component record.
func (s *Service) components(ctx context.Context) ([]Component, error) {
	pager := s.kvc().KV.Namespaces.Keys.ListAutoPaging(ctx, s.Store.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.Store.AccountID),
		Prefix:    cloudflare.F(componentPrefix),
	})
	var out []Component
	for pager.Next() {
		k := pager.Current()
		raw, err := s.Store.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			continue
		}
		var c Component
		if json.Unmarshal(raw, &c) == nil {
			out = append(out, c)
		}
	}
	return out, pager.Err()
}

// probe asks one upstream for its health and returns the status with the
// lifetime the upstream allows us to cache it for.
func (s *Service) probe(ctx context.Context, id, url string) (string, time.Duration, error) {
	type result struct {
		status string
		ttl    time.Duration
	}
	res, err := retry.Value(ctx, retry.Quick, func(ctx context.Context) (result, error) {
		var out result
		err := s.Breaker.Run(ctx, func(ctx context.Context) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return retry.Permanent{Err: err}
			}
			resp, err := s.HTTP.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			out.status = "operational"
			if resp.StatusCode >= 500 {
				out.status = "major_outage"
			} else if resp.StatusCode >= 400 {
				out.status = "degraded"
			}
			if exp, err := http.ParseTime(resp.Header.Get("Expires")); err == nil {
				out.ttl = exp.Sub(s.Clock.Now())
			}
			return nil
		})
		return out, err
	})
	if err != nil {
		return "major_outage", time.Minute, fmt.Errorf("probe %s: %w", id, err)
	}
	return res.status, res.ttl, nil
}

// Refresh probes every component and rewrites its record. It is called by
// the statusd ticker once a minute.
func (s *Service) Refresh(ctx context.Context) error {
	ids := make([]string, 0, len(s.Probes))
	for id := range s.Probes {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if err := s.acquireProbeLock(ctx, s.Holder); err != nil {
		return err
	}
	var comps []Component
	for _, id := range ids {
		status, ttl, err := s.probe(ctx, id, s.Probes[id])
		if err != nil {
			s.Log.Warn("probe failed", "component", id, "err", err)
		}
		c := Component{ID: id, Name: id, Status: status, UpdatedAt: s.Clock.Now()}
		b, _ := json.Marshal(c)
		if err := s.Store.Put(ctx, componentPrefix+id, b, ttl); err != nil { // EXPECT kvttl
			return err
		}
		comps = append(comps, c)
		sum := build(comps, s.Clock.Now())
		sb, _ := json.Marshal(sum)
		if err := s.Store.Put(ctx, summaryKey, sb, summaryTTL); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// acquireProbeLock keeps two statusd replicas from probing at once.
func (s *Service) acquireProbeLock(ctx context.Context, holder string) error {
	_, err := s.kvc().KV.Namespaces.Values.Update(ctx, s.Store.NamespaceID, "status:probe-lock", kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.Store.AccountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(holder)),
		ExpirationTTL: cloudflare.F(float64(probeLockTTL)), // EXPECT kvttl
	})
	return err
}

// ClaimSubdomain reserves name.status.tollgate.dev for org.
func (s *Service) ClaimSubdomain(ctx context.Context, org, name string) error {
	key := subdomainPrefix + strings.ToLower(name)
	owner, err := s.Store.Get(ctx, key)
	switch {
	case err == nil && string(owner) != org:
		return fmt.Errorf("statuspage: subdomain %q is taken", name)
	case err == nil:
		return nil
	case !errors.Is(err, kvnext.ErrNotFound):
		return err
	}
	return s.Store.Put(ctx, key, []byte(org), 0) // EXPECT kvrace
}

// PostUpdate adds an update to an incident.
func (s *Service) PostUpdate(ctx context.Context, incidentID string, u Update) error {
	key := incidentPrefix + incidentID
	raw, err := s.Store.Get(ctx, key)
	if err != nil {
		return err
	}
	var inc Incident
	if err := json.Unmarshal(raw, &inc); err != nil {
		return err
	}
	inc.Updates = append(inc.Updates, u)
	b, _ := json.Marshal(inc)
	return s.Store.Put(ctx, key, b, 0) // EXPECT kvrace
}

// Incident returns one incident for the incident detail page.
func (s *Service) Incident(ctx context.Context, id string) (*Incident, error) {
	res, err := s.kvc().KV.Namespaces.Values.Get(ctx, s.Store.NamespaceID, incidentPrefix+id, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.Store.AccountID),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return nil, nil
	}
	var inc Incident
	if err := json.NewDecoder(res.Body).Decode(&inc); err != nil {
		return nil, err
	}
	return &inc, nil
}

// RecentIncidents returns up to five incident IDs for the page footer.
func (s *Service) RecentIncidents(ctx context.Context) ([]string, error) {
	page, err := s.kvc().KV.Namespaces.Keys.List(ctx, s.Store.NamespaceID, kv.NamespaceKeyListParams{ // DEBATABLE kvlist
		AccountID: cloudflare.F(s.Store.AccountID),
		Prefix:    cloudflare.F(incidentPrefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		ids = append(ids, strings.TrimPrefix(k.Name, incidentPrefix))
	}
	return ids, nil
}

// IncidentPage returns one page of incident keys and the cursor for the
// next one, for the incident history page.
func (s *Service) IncidentPage(ctx context.Context, cursor string) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.Store.AccountID),
		Prefix:    cloudflare.F(incidentPrefix),
		Limit:     cloudflare.F(100.0),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.kvc().KV.Namespaces.Keys.List(ctx, s.Store.NamespaceID, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// PublishNotice bulk-writes the maintenance notice next to every component
// so the page can show it from list metadata alone.
func (s *Service) PublishNotice(ctx context.Context, ids []string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(ids))
	for _, id := range ids {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("status:notice:" + id),
			Value:         cloudflare.F("scheduled"),
			ExpirationTTL: cloudflare.F((7 * 24 * time.Hour).Seconds()),
			Metadata:      cloudflare.F[any](map[string]string{"notice": maintenanceNotice}), // EXPECT kvlimits
		})
	}
	_, err := s.kvc().KV.Namespaces.BulkUpdate(ctx, s.Store.NamespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.Store.AccountID),
		Body:      body,
	})
	return err
}

// ComponentsForOrg returns the component graph from the GraphQL API, cached
// in KV for a minute per organisation.
func (s *Service) ComponentsForOrg(ctx context.Context, org string) (json.RawMessage, error) {
	key := "gql:" + componentsQuery + ":" + org // EXPECT kvlimits
	if raw, err := s.Store.Get(ctx, key); err == nil {
		return raw, nil
	}
	payload, _ := json.Marshal(map[string]any{"query": componentsQuery, "variables": map[string]string{"org": org}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.GQLURL, strings.NewReader(string(payload)))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	return out, s.Store.Put(ctx, key, out, time.Minute)
}
