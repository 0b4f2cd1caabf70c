// Package gateways manages customer API gateways: their upstreams, routes
// and custom domains. The edge Worker reads the documents this package
// writes; the control plane is the only writer.
package gateways

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/portwell/nutcracker/internal/kvstore"
	"github.com/portwell/nutcracker/internal/tlsstore"
)

// Route maps a path prefix to an upstream path.
type Route struct {
	Prefix   string   `json:"prefix"`
	Upstream string   `json:"upstream"`
	Methods  []string `json:"methods,omitempty"`
}

// Gateway is the document stored under gw/<id>.
type Gateway struct {
	ID        string    `json:"id"`
	Tenant    string    `json:"tenant"`
	Upstream  string    `json:"upstream"`
	Routes    []Route   `json:"routes"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Plan is the billing plan of a tenant, cached from the billing API.
type Plan struct {
	Name           string `json:"name"`
	RequestsPerDay int    `json:"requests_per_day"`
	CustomDomains  int    `json:"custom_domains"`
}

// ErrDomainTaken is returned when another gateway already owns a host.
var ErrDomainTaken = errors.New("gateways: domain already attached to another gateway")

// Service is the control-plane API over gateway documents.
type Service struct {
	ns         *kvstore.Namespace
	billingURL string
	http       *http.Client
}

// NewService returns a Service.
func NewService(ns *kvstore.Namespace, billingURL string) *Service {
	return &Service{ns: ns, billingURL: billingURL, http: &http.Client{Timeout: 5 * time.Second}}
}

func gatewayKey(id string) string  { return "gw/" + id }
func domainKey(host string) string { return "domains/" + strings.ToLower(host) }

// PlanFor returns the tenant's plan, reading through a 15 minute cache.
func (s *Service) PlanFor(ctx context.Context, tenant string) (Plan, error) {
	key := "billing/plan/" + tenant
	raw, err := s.ns.Get(ctx, key)
	if err == nil {
		var p Plan
		if json.Unmarshal(raw, &p) == nil {
			return p, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return Plan{}, err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.billingURL+"/tenants/"+tenant+"/plan", nil)
	res, err := s.http.Do(req)
	if err != nil {
		return Plan{}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		return Plan{}, fmt.Errorf("billing: %s", res.Status)
	}
	var p Plan
	if err := json.Unmarshal(body, &p); err != nil {
		return Plan{}, err
	}
	return p, s.ns.Put(ctx, key, body, 15*time.Minute)
}

// Get loads a gateway document.
func (s *Service) Get(ctx context.Context, id string) (*Gateway, error) {
	raw, err := s.ns.Get(ctx, gatewayKey(id))
	if err != nil {
		return nil, err
	}
	var gw Gateway
	return &gw, json.Unmarshal(raw, &gw)
}

// Replace stores a complete gateway document sent by the portal UI.
func (s *Service) Replace(ctx context.Context, gw Gateway) error {
	gw.UpdatedAt = time.Now().UTC()
	buf, err := json.Marshal(gw)
	if err != nil {
		return err
	}
	return s.ns.Put(ctx, gatewayKey(gw.ID), buf, 0)
}

// SetUpstream points a gateway at a new upstream base URL.
func (s *Service) SetUpstream(ctx context.Context, id, tenant, upstream string) error {
	gw := Gateway{ID: id, Tenant: tenant}
	if raw, err := s.ns.Get(ctx, gatewayKey(id)); err == nil { // EXPECT kvnull
		_ = json.Unmarshal(raw, &gw)
	}
	gw.Upstream = upstream
	gw.UpdatedAt = time.Now().UTC()
	buf, _ := json.Marshal(gw)
	return s.ns.Put(ctx, gatewayKey(id), buf, 0) // EXPECT kvrace
}

// AddRoute appends a route to a gateway.
func (s *Service) AddRoute(ctx context.Context, id string, r Route) error {
	gw, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	for _, existing := range gw.Routes {
		if existing.Prefix == r.Prefix {
			return fmt.Errorf("route %s already exists", r.Prefix)
		}
	}
	gw.Routes = append(gw.Routes, r)
	gw.UpdatedAt = time.Now().UTC()
	buf, _ := json.Marshal(gw)
	return s.ns.Put(ctx, gatewayKey(id), buf, 0) // EXPECT kvrace
}

// ClaimDomain attaches a custom domain to a gateway.
func (s *Service) ClaimDomain(ctx context.Context, gatewayID, tenant, host string) error {
	_, err := s.ns.Get(ctx, domainKey(host))
	if err == nil {
		return ErrDomainTaken
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	rec := tlsstore.DomainRecord{Host: host, GatewayID: gatewayID, Tenant: tenant, Status: "pending"}
	buf, _ := json.Marshal(rec)
	return s.ns.Put(ctx, domainKey(host), buf, 0) // EXPECT kvrace
}

// DomainPage is one page of a tenant's domains.
type DomainPage struct {
	Hosts  []string `json:"hosts"`
	Cursor string   `json:"cursor,omitempty"`
}

// ListDomains returns one page of domains; the UI passes the cursor back.
func (s *Service) ListDomains(ctx context.Context, cursor string) (DomainPage, error) {
	page, err := s.ns.ListPage(ctx, "domains/", cursor, 200)
	if err != nil {
		return DomainPage{}, err
	}
	out := DomainPage{Cursor: page.Cursor}
	for _, k := range page.Keys {
		out.Hosts = append(out.Hosts, strings.TrimPrefix(k, "domains/"))
	}
	return out, nil
}

// ExportAll writes every gateway id as a JSON line, for the nightly backup.
func (s *Service) ExportAll(ctx context.Context, w io.Writer) (int, error) {
	it := s.ns.Iterate(ctx, "gw/") // EXPECT kvlist
	enc := json.NewEncoder(w)
	n := 0
	for it.Next() {
		k := it.Current()
		if err := enc.Encode(map[string]any{"key": k.Name, "expiration": k.Expiration}); err != nil {
			return n, err
		}
		n++
	}
	return n, it.Err()
}

// PurgeTenant deletes the tenant's cached documents, a bounded number of
// pages per call; the caller reschedules when more remains.
func (s *Service) PurgeTenant(ctx context.Context, tenant string) (more bool, err error) {
	const maxPages = 10
	prefix := "billing/plan/" + tenant
	var doomed []string
	cursor := ""
	for range maxPages {
		page, err := s.ns.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return false, err
		}
		doomed = append(doomed, page.Keys...)
		if page.Cursor == "" {
			return false, s.ns.BulkDelete(ctx, doomed)
		}
		cursor = page.Cursor
	}
	return true, s.ns.BulkDelete(ctx, doomed)
}

const (
	tcpPortFirst = 49152
	tcpPortLast  = 65535
)

// ReserveTCPPorts seeds the pool of TCP listener ports that gateways with
// raw TCP routes draw from. It runs once when a region is provisioned.
func (s *Service) ReserveTCPPorts(ctx context.Context, region string) error {
	api, account, nsID := s.ns.SDK()
	body := make([]kv.NamespaceBulkUpdateParamsBody, tcpPortLast-tcpPortFirst+1)
	for i := range body {
		body[i] = kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F("tcp-pool/" + region + "/" + strconv.Itoa(tcpPortFirst+i)),
			Value: cloudflare.F("free"),
		}
	}
	_, err := api.KV.Namespaces.BulkUpdate(ctx, nsID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(account),
		Body:      body,
	})
	return err
}
