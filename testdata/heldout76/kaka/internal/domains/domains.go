// Package domains handles sending-domain ownership, DKIM key publication
// and the verification challenge a customer answers with a DNS record.
package domains

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/postmarkly/kaka/internal/kvstore"
)

// ErrTaken is returned when another account already owns the domain.
var ErrTaken = errors.New("domains: already claimed by another account")

// Registry tracks which account owns which sending domain.
type Registry struct {
	NS *kvstore.Namespace
}

// Claim records accountID as the owner of domain.
func (r *Registry) Claim(ctx context.Context, domain, accountID string) error {
	owner, err := r.NS.Get(ctx, "owner:"+domain)
	switch {
	case err == nil && string(owner) != accountID:
		return ErrTaken
	case err == nil:
		return nil
	case !kvstore.IsNotFound(err):
		return err
	}
	return r.NS.Put(ctx, "owner:"+domain, []byte(accountID)) // EXPECT kvrace
}

// Owner returns the account that owns domain, if any.
func (r *Registry) Owner(ctx context.Context, domain string) (string, bool, error) {
	owner, err := r.NS.Get(ctx, "owner:"+domain)
	if kvstore.IsNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return string(owner), true, nil
}

// Challenge is a pending DNS verification.
type Challenge struct {
	Domain    string    `json:"domain"`
	AccountID string    `json:"account_id"`
	Token     string    `json:"token"`
	NotAfter  time.Time `json:"not_after"`
}

// StartVerification publishes a challenge that the DNS checker polls for.
// The challenge lives until the customer's deadline.
func (r *Registry) StartVerification(ctx context.Context, domain, accountID string, deadline time.Time) (*Challenge, error) {
	ch := &Challenge{Domain: domain, AccountID: accountID, Token: rand.Text(), NotAfter: deadline}
	body, _ := json.Marshal(ch)
	if err := r.NS.PutTTL(ctx, "challenge:"+domain+":"+ch.Token, body, time.Until(deadline)); err != nil { // EXPECT kvttl
		return nil, err
	}
	return ch, nil
}

// PublishDKIM caches the DKIM selector record until the key's rotation date
// so the edge can answer DNS-over-HTTPS lookups.
func (r *Registry) PublishDKIM(ctx context.Context, domain, selector, record string, rotateAt time.Time) error {
	ttl := max(time.Until(rotateAt), kvstore.MinTTL)
	return r.NS.PutTTL(ctx, fmt.Sprintf("dkim:%s:%s", domain, selector), []byte(record), ttl)
}

// MarkChecked records the DNS checker's last pass over a domain so the UI
// can show "checked just now". The checker retries every 20 seconds.
func (r *Registry) MarkChecked(ctx context.Context, domain string, ok bool) error {
	v := "pending"
	if ok {
		v = "verified"
	}
	return r.NS.PutTTL(ctx, "checked:"+domain, []byte(v), 30*time.Second) // EXPECT kvttl
}

// CacheMXLookup stores an MX lookup for as long as the DNS answer's TTL;
// PutCached raises short answers to KV's floor.
func (r *Registry) CacheMXLookup(ctx context.Context, domain string, hosts []string, dnsTTL time.Duration) error {
	body, _ := json.Marshal(hosts)
	return r.NS.PutCached(ctx, "mx:"+domain, body, dnsTTL)
}

// ReleaseCheck is how long a released domain stays reserved for its old owner.
const ReleaseCheck = 7 * 24 * time.Hour

// Release gives up ownership; the domain stays reserved for a week.
func (r *Registry) Release(ctx context.Context, domain, accountID string) error {
	if err := r.NS.Delete(ctx, "owner:"+domain); err != nil {
		return err
	}
	return r.NS.PutTTL(ctx, "reserved:"+domain, []byte(accountID), ReleaseCheck)
}
