// Package acme obtains TLS certificates for customers' tracking domains.
// Challenge responses are published in KV; the edge Worker answers HTTP-01
// requests and the tracking DNS zone answers DNS-01 TXT queries from it.
//
// The providers satisfy lego's challenge.Provider and
// challenge.ProviderTimeout interfaces.
package acme

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"kahu/internal/kv"
)

// Provider is lego's challenge.Provider.
type Provider interface {
	Present(domain, token, keyAuth string) error
	CleanUp(domain, token, keyAuth string) error
}

// ProviderTimeout is lego's challenge.ProviderTimeout.
type ProviderTimeout interface {
	Provider
	Timeout() (timeout, interval time.Duration)
}

// ChallengeKey is where the Worker looks up an HTTP-01 response.
func ChallengeKey(domain, token string) string {
	return "acme:http01:" + strings.ToLower(domain) + ":" + token
}

// HTTP01 publishes key authorizations for the Worker to serve at
// /.well-known/acme-challenge/{token}.
type HTTP01 struct {
	NS kv.Namespace
	// PropagationWait is how long the CA is asked to wait before validating.
	PropagationWait time.Duration
}

var _ ProviderTimeout = (*HTTP01)(nil)

func (p *HTTP01) Present(domain, token, keyAuth string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return p.NS.PutTTL(ctx, ChallengeKey(domain, token), []byte(keyAuth),
		max(2*p.PropagationWait, 5*time.Second)) // EXPECT kvttl
}

func (p *HTTP01) CleanUp(domain, token, keyAuth string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return p.NS.Delete(ctx, ChallengeKey(domain, token))
}

func (p *HTTP01) Timeout() (timeout, interval time.Duration) {
	return 3*time.Minute + p.PropagationWait, 5 * time.Second
}

// DNS01 publishes TXT values under _acme-challenge names. A wildcard order
// and its apex share one name, so the record holds a list of values.
type DNS01 struct {
	Client      *kv.Client
	NamespaceID string
	RecordTTL   time.Duration
}

var _ ProviderTimeout = (*DNS01)(nil)

const dnsRecordLifetime = 2 * time.Hour

func txtKey(domain string) string {
	return "acme:dns01:_acme-challenge." + strings.TrimPrefix(strings.ToLower(domain), "*.")
}

func (p *DNS01) values(ctx context.Context, key string) ([]string, error) {
	raw, err := p.Client.Namespace(p.NamespaceID).Get(ctx, key)
	if errors.Is(err, kv.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var vals []string
	return vals, json.Unmarshal(raw, &vals)
}

func (p *DNS01) Present(domain, token, keyAuth string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	key := txtKey(domain)
	vals, err := p.values(ctx, key)
	if err != nil {
		return err
	}
	if !slices.Contains(vals, keyAuthDigest(keyAuth)) {
		vals = append(vals, keyAuthDigest(keyAuth))
	}
	b, _ := json.Marshal(vals)
	_, err = p.Client.API().WriteWorkersKVEntries(ctx, p.Client.Account(), cloudflare.WriteWorkersKVEntriesParams{ // EXPECT kvrace
		NamespaceID: p.NamespaceID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key,
			Value:         string(b),
			ExpirationTTL: int(dnsRecordLifetime), // EXPECT kvttl
		}},
	})
	return err
}

func (p *DNS01) CleanUp(domain, token, keyAuth string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	key := txtKey(domain)
	vals, err := p.values(ctx, key)
	if err != nil {
		return err
	}
	vals = slices.DeleteFunc(vals, func(v string) bool { return v == keyAuthDigest(keyAuth) })
	ns := p.Client.Namespace(p.NamespaceID)
	if len(vals) == 0 {
		return ns.Delete(ctx, key)
	}
	b, _ := json.Marshal(vals)
	return ns.PutTTL(ctx, key, b, max(p.RecordTTL, time.Minute)) // EXPECT kvrace
}

func (p *DNS01) Timeout() (timeout, interval time.Duration) {
	return 5 * time.Minute, 10 * time.Second
}
