// Package domains manages the custom domains that shops attach to their
// storefronts: claiming a host name, proving control over it and releasing it.
package domains

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"bullfinch/internal/kv"
)

// ErrTaken is returned when another shop already holds the host name.
var ErrTaken = errors.New("domains: host name already claimed")

// ErrQuota is returned when the shop has no domain slots left.
var ErrQuota = errors.New("domains: domain quota exhausted")

// Domain is the record stored under domain:<host>.
type Domain struct {
	Host       string    `json:"host"`
	ShopID     string    `json:"shop_id"`
	Verified   bool      `json:"verified"`
	Token      string    `json:"token,omitempty"`
	ClaimedAt  time.Time `json:"claimed_at"`
	VerifiedAt time.Time `json:"verified_at,omitzero"`
}

// Registry is the domain registry on a KV namespace.
type Registry struct {
	ns            *kv.Namespace
	maxPerShop    int
	verifyWindow  time.Duration
	lookupTXT     func(ctx context.Context, name string) ([]string, error)
	verifyAttempt time.Duration
}

// NewRegistry returns a Registry that allows maxPerShop domains per shop.
func NewRegistry(ns *kv.Namespace, maxPerShop int) *Registry {
	return &Registry{
		ns:            ns,
		maxPerShop:    maxPerShop,
		verifyWindow:  48 * time.Hour,
		lookupTXT:     net.DefaultResolver.LookupTXT,
		verifyAttempt: 500 * time.Millisecond,
	}
}

func domainKey(host string) string          { return "domain:" + host }
func shopIndexKey(shop, host string) string { return "shop-domains:" + shop + ":" + host }
func quotaKey(shop string) string           { return "domain-quota:" + shop }
func challengeKey(host string) string       { return "dv:" + host }
func statusKey(host string) string          { return "dv-status:" + host }

// Lookup returns the record for host.
func (r *Registry) Lookup(ctx context.Context, host string) (Domain, error) {
	raw, err := r.ns.Get(ctx, domainKey(host))
	if err != nil {
		return Domain{}, err
	}
	var d Domain
	if err := json.Unmarshal(raw, &d); err != nil {
		return Domain{}, fmt.Errorf("domains: decode %s: %w", host, err)
	}
	return d, nil
}

// Claim attaches host to shop and returns the TXT token the owner must
// publish at _bullfinch.<host>.
func (r *Registry) Claim(ctx context.Context, shop, host string, deadline time.Time) (Domain, error) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if _, err := r.ns.Get(ctx, domainKey(host)); err == nil {
		return Domain{}, ErrTaken
	} else if !errors.Is(err, kv.ErrNotFound) {
		return Domain{}, err
	}
	if err := r.takeSlot(ctx, shop); err != nil {
		return Domain{}, err
	}
	tok := make([]byte, 16)
	_, _ = rand.Read(tok)
	d := Domain{Host: host, ShopID: shop, Token: hex.EncodeToString(tok), ClaimedAt: time.Now().UTC()}
	b, _ := json.Marshal(d)
	if err := r.ns.Put(ctx, domainKey(host), b); err != nil { // EXPECT kvrace
		return Domain{}, err
	}
	if err := r.ns.Put(ctx, shopIndexKey(shop, host), nil); err != nil {
		return Domain{}, err
	}
	ttl := time.Until(deadline)
	return d, r.ns.PutTTL(ctx, challengeKey(host), []byte(d.Token), ttl) // EXPECT kvttl
}

// takeSlot counts the shop's domains against its plan.
func (r *Registry) takeSlot(ctx context.Context, shop string) error {
	used := 0
	raw, err := r.ns.Get(ctx, quotaKey(shop))
	if err == nil {
		used, err = strconv.Atoi(string(raw))
		if err != nil {
			return fmt.Errorf("domains: quota for %s: %w", shop, err)
		}
	} else if !errors.Is(err, kv.ErrNotFound) {
		return err
	}
	if used >= r.maxPerShop {
		return ErrQuota
	}
	return r.ns.Put(ctx, quotaKey(shop), []byte(strconv.Itoa(used+1))) // EXPECT kvcounter|kvrace
}

// RenewChallenge re-issues the verification challenge until the deadline the
// owner picked in the dashboard, never for less than a minute.
func (r *Registry) RenewChallenge(ctx context.Context, host string, deadline time.Time) error {
	d, err := r.Lookup(ctx, host)
	if err != nil {
		return err
	}
	ttl := max(time.Until(deadline), time.Minute)
	return r.ns.PutTTL(ctx, challengeKey(host), []byte(d.Token), ttl)
}

// Verify checks the TXT record a few times, publishing progress for the
// dashboard's status poller, and marks the domain verified.
func (r *Registry) Verify(ctx context.Context, host string) (bool, error) {
	d, err := r.Lookup(ctx, host)
	if err != nil {
		return false, err
	}
	for attempt := range 6 {
		txts, _ := r.lookupTXT(ctx, "_bullfinch."+host)
		found := false
		for _, t := range txts {
			found = found || strings.TrimSpace(t) == d.Token
		}
		status := fmt.Sprintf(`{"attempt":%d,"found":%t}`, attempt+1, found)
		if err := r.ns.PutTTL(ctx, statusKey(host), []byte(status), 10*time.Minute); err != nil { // EXPECT kvhotkey
			return false, err
		}
		if found {
			d.Verified, d.VerifiedAt, d.Token = true, time.Now().UTC(), ""
			b, _ := json.Marshal(d)
			return true, r.ns.Put(ctx, domainKey(host), b) // EXPECT kvrace
		}
		time.Sleep(r.verifyAttempt)
	}
	return false, nil
}

// ForShop returns the shop's domains, at most limit of them.
func (r *Registry) ForShop(ctx context.Context, shop string, limit int) ([]Domain, string, error) {
	p, err := r.ns.ListPage(ctx, "shop-domains:"+shop+":", "", limit)
	if err != nil {
		return nil, "", err
	}
	out := make([]Domain, 0, len(p.Keys))
	for _, k := range p.Keys {
		host := strings.TrimPrefix(k.Name, "shop-domains:"+shop+":")
		d, err := r.Lookup(ctx, host) // EXPECT kvlist
		if err != nil {
			continue
		}
		out = append(out, d)
	}
	return out, p.Cursor, nil
}

// Release detaches host from its shop.
func (r *Registry) Release(ctx context.Context, shop, host string) error {
	return r.ns.DeleteMany(ctx, []string{domainKey(host), shopIndexKey(shop, host), challengeKey(host)})
}
