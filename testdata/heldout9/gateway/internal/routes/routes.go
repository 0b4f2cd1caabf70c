// Package routes publishes the route table the edge worker dispatches on.
package routes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/gateway/internal/cfkv"
	"example.com/gateway/internal/keys"
	"example.com/gateway/internal/store"
)

// Route maps a method and path to an upstream.
type Route struct {
	ID       string `json:"id"`
	Tenant   string `json:"tenant"`
	Method   string `json:"method"`
	Path     string `json:"path"`
	Upstream string `json:"upstream"`
	Timeout  int    `json:"timeout_ms"`
}

// Table is the document stored under keys.RoutesLive.
type Table struct {
	Version     int       `json:"version"`
	Routes      []Route   `json:"routes"`
	PublishedAt time.Time `json:"published_at"`
}

// Source loads routes from the admin database.
type Source interface {
	Routes(ctx context.Context) ([]Route, error)
}

// ErrInvalid marks a route that fails validation.
var ErrInvalid = errors.New("routes: invalid route")

// Publisher writes route tables.
type Publisher struct {
	ns  cfkv.Namespace
	st  store.Store
	src Source
	log *slog.Logger
}

// NewPublisher wires a Publisher.
func NewPublisher(ns cfkv.Namespace, st store.Store, src Source, log *slog.Logger) *Publisher {
	return &Publisher{ns: ns, st: st, src: src, log: log}
}

func (p *Publisher) updateParams(b []byte) kv.NamespaceValueUpdateParams {
	return kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(p.ns.AccountID), Value: cloudflare.F(string(b))}
}

func (p *Publisher) readTable(ctx context.Context, key string) (Table, error) {
	var t Table
	resp, err := p.ns.Values().Get(ctx, p.ns.ID, key, p.ns.GetParams())
	if cfkv.IsNotFound(err) {
		return t, nil
	}
	if err != nil {
		return t, fmt.Errorf("read %s: %w", key, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return t, err
	}
	return t, json.Unmarshal(b, &t)
}

func validate(r Route) error {
	if r.ID == "" || !strings.HasPrefix(r.Path, "/") || r.Upstream == "" {
		return fmt.Errorf("%w: %+v", ErrInvalid, r)
	}
	return nil
}

// Publish replaces the live table with the database's routes. The deploy
// pipeline calls this after every merge to the routes repo.
func (p *Publisher) Publish(ctx context.Context) error {
	routes, err := p.src.Routes(ctx)
	if err != nil {
		return err
	}
	current, err := p.readTable(ctx, keys.RoutesLive)
	if err != nil {
		return err
	}
	next := Table{Version: current.Version + 1, Routes: routes, PublishedAt: time.Now().UTC()}
	b, err := json.Marshal(next)
	if err != nil {
		return err
	}
	_, err = p.ns.Client.KV.Namespaces.Values.Update(ctx, p.ns.ID, keys.RoutesLive, kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(p.ns.AccountID), Value: cloudflare.F(string(b))}) // EXPECT kvcounter|kvrace
	if err == nil {
		p.log.Info("routes published", "version", next.Version, "routes", len(routes))
	}
	return err
}

// AddRoute patches one route into the live table; on-call uses it for
// hotfixes between deploys.
func (p *Publisher) AddRoute(ctx context.Context, r Route) error {
	if err := validate(r); err != nil {
		return err
	}
	t, err := p.readTable(ctx, keys.RoutesLive)
	if err != nil {
		return err
	}
	t.Routes = append(t.Routes, r)
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	_, err = p.ns.Values().Update(ctx, p.ns.ID, keys.RoutesLive, p.updateParams(b)) // EXPECT kvrace
	return err
}

// Stage validates routes one by one into the draft table so the dashboard
// preview shows how far validation got.
func (p *Publisher) Stage(ctx context.Context, routes []Route) error {
	var draft Table
	for _, r := range routes {
		if err := validate(r); err != nil {
			return err
		}
		draft.Routes = append(draft.Routes, r)
		b, _ := json.Marshal(draft)
		if _, err := p.ns.Values().Update(ctx, p.ns.ID, keys.RoutesDraft, p.updateParams(b)); err != nil { // EXPECT kvhotkey
			return fmt.Errorf("stage %s: %w", r.ID, err)
		}
	}
	return nil
}

// PublishEach writes one record per route for the worker's fast path.
func (p *Publisher) PublishEach(ctx context.Context, routes []Route) error {
	for _, r := range routes {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		meta := map[string]any{"tenant": r.Tenant, "method": r.Method}
		if err := p.st.Put(ctx, keys.Route(r.ID), b, store.WithMetadata(meta)); err != nil {
			return fmt.Errorf("route %s: %w", r.ID, err)
		}
	}
	return nil
}

// Prune removes per-route records that are no longer in the database.
func (p *Publisher) Prune(ctx context.Context, keep map[string]bool) (int, error) {
	var stale []string
	iter := p.ns.Keys().ListAutoPaging(ctx, p.ns.ID, kv.NamespaceKeyListParams{AccountID: cloudflare.F(p.ns.AccountID), Prefix: cloudflare.F(keys.RoutePrefix)}) // EXPECT kvlist
	for iter.Next() {
		id := strings.TrimPrefix(iter.Current().Name, keys.RoutePrefix)
		if !keep[id] {
			stale = append(stale, iter.Current().Name)
		}
	}
	if err := iter.Err(); err != nil {
		return 0, err
	}
	for start := 0; start < len(stale); start += 1000 {
		end := min(start+1000, len(stale))
		_, err := p.ns.Keys().BulkDelete(ctx, p.ns.ID, kv.NamespaceKeyBulkDeleteParams{AccountID: cloudflare.F(p.ns.AccountID), Body: stale[start:end]})
		if err != nil {
			return start, err
		}
	}
	return len(stale), nil
}

// PublishPreview writes a table under a per-operator preview key that the
// dashboard renders; it cleans itself up after an hour.
func (p *Publisher) PublishPreview(ctx context.Context, operator string, t Table) error {
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	_, err = p.ns.Values().Update(ctx, p.ns.ID, keys.RoutesDraft+":"+operator, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(p.ns.AccountID),
		Value:         cloudflare.F(string(b)),
		ExpirationTTL: cloudflare.F(float64(time.Hour)), // EXPECT kvttl
	})
	return err
}
