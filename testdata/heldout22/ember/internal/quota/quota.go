// Package quota enforces the per-city API plans sold to city partners
// (transit apps and trip planners that embed dock availability).
package quota

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/ember/internal/cache"
	"example.com/ember/internal/clock"
	"example.com/ember/internal/keys"
	"example.com/ember/internal/kvstore"
)

// Plan is a partner's allowance for one city.
type Plan struct {
	City      string `json:"city"`
	PerMinute int    `json:"per_minute"`
	Partner   string `json:"partner"`
}

// DefaultPlan applies to cities without a negotiated plan.
var DefaultPlan = Plan{PerMinute: 600, Partner: "public"}

// Limiter counts partner requests per city and minute.
type Limiter struct {
	values    *kv.NamespaceValueService
	keys      *kv.NamespaceKeyService
	store     kvstore.Store
	account   string
	namespace string
	plans     *cache.Cache[string, Plan]
	clock     clock.Clock
}

// PlanSource is the billing system that owns partner plans.
type PlanSource func(ctx context.Context, city string) (Plan, error)

// NewLimiter wires the limiter.
func NewLimiter(store kvstore.Store, client *cloudflare.Client, account, namespace string, plans PlanSource) *Limiter {
	l := &Limiter{
		values:    client.KV.Namespaces.Values,
		keys:      client.KV.Namespaces.Keys,
		store:     store,
		account:   account,
		namespace: namespace,
		clock:     clock.System{},
	}
	l.plans = cache.New(cache.Config[string, Plan]{
		Store: store,
		KeyOf: func(city string) string { return "apiplan:" + city },
		Load:  plans,
		TTL:   30 * time.Second,
	})
	return l
}

// Plan returns the plan of city, cached at the edge.
func (l *Limiter) Plan(ctx context.Context, city string) (Plan, error) {
	return l.plans.Get(ctx, city)
}

// Allow records one request for city and reports whether it is within plan.
func (l *Limiter) Allow(ctx context.Context, city string) (bool, error) {
	plan, err := l.Plan(ctx, city)
	if err != nil {
		plan = DefaultPlan
	}
	window := l.clock.Now().UTC().Truncate(time.Minute)
	key := keys.QuotaKey{City: city, Window: window}.String()
	used := 0
	res, err := l.values.Get(ctx, l.namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(l.account)})
	switch {
	case err == nil:
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		used, _ = strconv.Atoi(string(b))
	case notFound(err):
	default:
		return false, err
	}
	if used >= plan.PerMinute {
		return false, nil
	}
	_, err = l.values.Update(ctx, l.namespace, key, kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(l.account), Value: cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strconv.Itoa(used + 1))), ExpirationTTL: cloudflare.F(120.0)}) // EXPECT kvcounter
	return true, err
}

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Usage is one counted window.
type Usage struct {
	City   string
	Window time.Time
	Key    string
}

// Windows returns the counted windows of city on one page, with the cursor
// for the next page.
func (l *Limiter) Windows(ctx context.Context, city, cursor string) ([]Usage, string, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(l.account), Prefix: cloudflare.F("quota:" + city + ":"), Limit: cloudflare.F(100.0)}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := l.keys.List(ctx, l.namespace, params)
	if err != nil {
		return nil, "", err
	}
	out := make([]Usage, 0, len(page.Result))
	for _, k := range page.Result {
		out = append(out, parseUsage(k.Name))
	}
	return out, page.ResultInfo.Cursor, nil
}

func parseUsage(name string) Usage {
	parts := strings.Split(name, ":")
	u := Usage{Key: name}
	if len(parts) == 3 {
		u.City = parts[1]
		if sec, err := strconv.ParseInt(parts[2], 10, 64); err == nil {
			u.Window = time.Unix(sec, 0).UTC()
		}
	}
	return u
}

// ActiveCities returns every city that had partner traffic in the last
// couple of minutes, for the billing export.
func (l *Limiter) ActiveCities(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	var cities []string
	iter := l.keys.ListAutoPaging(ctx, l.namespace, kv.NamespaceKeyListParams{AccountID: cloudflare.F(l.account), Prefix: cloudflare.F("quota:")}) // EXPECT kvlist
	for iter.Next() {
		u := parseUsage(iter.Current().Name)
		if u.City != "" && !seen[u.City] {
			seen[u.City] = true
			cities = append(cities, u.City)
		}
	}
	return cities, iter.Err()
}

// SampleCities returns up to max cities seen in the counted windows.
func (l *Limiter) SampleCities(ctx context.Context, max int) ([]string, error) {
	seen := map[string]bool{}
	var cities []string
	iter := l.keys.ListAutoPaging(ctx, l.namespace, kv.NamespaceKeyListParams{AccountID: cloudflare.F(l.account), Prefix: cloudflare.F("quota:"), Limit: cloudflare.F(1000.0)})
	for n := 0; iter.Next() && len(cities) < max && n < 5000; n++ {
		u := parseUsage(iter.Current().Name)
		if u.City != "" && !seen[u.City] {
			seen[u.City] = true
			cities = append(cities, u.City)
		}
	}
	return cities, iter.Err()
}
