package tlsstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/portwell/nutcracker/internal/kvstore"
)

// DomainRecord is what the portal writes under domains/<host> when a customer
// attaches a custom domain to a gateway.
type DomainRecord struct {
	Host      string    `json:"host"`
	GatewayID string    `json:"gateway_id"`
	Tenant    string    `json:"tenant"`
	Status    string    `json:"status"` // pending, verified, suspended
	Verified  time.Time `json:"verified"`
}

// Gatekeeper answers certmagic's on-demand questions: may we get a
// certificate for this SNI name, and what happened when we tried.
type Gatekeeper struct {
	ns          *kvstore.Namespace
	maxPerHour  int
	decisionTTL time.Duration
}

// NewGatekeeper returns a Gatekeeper that allows maxPerHour issuance
// attempts per host.
func NewGatekeeper(ns *kvstore.Namespace, maxPerHour int) *Gatekeeper {
	return &Gatekeeper{ns: ns, maxPerHour: maxPerHour, decisionTTL: 30 * time.Second}
}

var errThrottled = errors.New("tlsstore: too many issuance attempts for host")

// Allow is certmagic's OnDemandConfig.DecisionFunc.
func (g *Gatekeeper) Allow(ctx context.Context, name string) error {
	if cached, err := g.ns.Get(ctx, "ondemand/decision/"+name); err == nil && string(cached) == "allow" {
		return nil
	}
	raw, err := g.ns.Get(ctx, "domains/"+name)
	if errors.Is(err, kvstore.ErrNotFound) {
		return fmt.Errorf("%s is not a registered custom domain", name)
	}
	if err != nil {
		return err
	}
	var rec DomainRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return fmt.Errorf("domain record for %s: %w", name, err)
	}
	if rec.Status != "verified" {
		return fmt.Errorf("%s is %s", name, rec.Status)
	}

	hourKey := "ondemand/attempts/" + name + "/" + time.Now().UTC().Format("2006010215")
	attempts := 0
	switch v, err := g.ns.Get(ctx, hourKey); {
	case err == nil:
		attempts, _ = strconv.Atoi(string(v))
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	if attempts >= g.maxPerHour {
		return errThrottled
	}
	if err := g.ns.Put(ctx, hourKey, []byte(strconv.Itoa(attempts+1)), 2*time.Hour); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	return g.ns.PutLease(ctx, "ondemand/decision/"+name, []byte("allow"), g.decisionTTL)
}

// Observe is certmagic's Config.OnEvent. It records the outcome of each
// issuance so the portal can show certificate status next to the domain.
func (g *Gatekeeper) Observe(ctx context.Context, event string, data map[string]any) error {
	var host string
	if ids, ok := data["identifier"].(string); ok {
		host = ids
	}
	if host == "" {
		return nil
	}
	status := map[string]any{"event": event, "at": time.Now().UTC()}
	switch event {
	case "cert_obtained":
		status["renewal"] = data["renewal"]
	case "cert_failed":
		status["error"] = fmt.Sprint(data["error"])
	default:
		return nil
	}
	buf, _ := json.Marshal(status)
	return g.ns.Put(ctx, "tls/status/"+host, buf, 90*24*time.Hour)
}
