// Package domains attaches customer-owned hostnames to sites. It still runs on
// the v2 client and the legacy namespace.
package domains

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"example.com/atlas/internal/legacy/kvv2"
)

var (
	ErrTaken      = errors.New("domains: hostname already attached to another site")
	ErrNotClaimed = errors.New("domains: hostname not attached")
)

// Claim is the record of a hostname attached to a site.
type Claim struct {
	Host       string    `json:"host"`
	SiteID     string    `json:"site"`
	Token      string    `json:"verification_token"`
	Verified   bool      `json:"verified"`
	ClaimedAt  time.Time `json:"claimed_at"`
	VerifiedAt time.Time `json:"verified_at,omitempty"`
}

// Registry stores claims.
type Registry struct {
	l *kvv2.Legacy
}

func New(l *kvv2.Legacy) *Registry { return &Registry{l: l} }

func claimKey(host string) string {
	return url.PathEscape("domain:" + strings.ToLower(strings.TrimSuffix(host, ".")))
}

// Claim attaches host to siteID pending DNS verification.
func (r *Registry) Claim(ctx context.Context, host, siteID, token string) error {
	c := r.l.Client
	_, err := c.KV.Namespaces.Values.Get(ctx, r.l.Namespace, claimKey(host), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(r.l.AccountID),
	})
	if err == nil {
		return ErrTaken
	}
	if !kvv2.IsNotFound(err) {
		return fmt.Errorf("domains: check %s: %w", host, err)
	}
	b, _ := json.Marshal(Claim{Host: host, SiteID: siteID, Token: token, ClaimedAt: time.Now().UTC()})
	_, err = c.KV.Namespaces.Values.Update(ctx, r.l.Namespace, claimKey(host), kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(r.l.AccountID),
		Value:     cloudflare.F(string(b)),
		Metadata:  cloudflare.F(fmt.Sprintf(`{"site":%q}`, siteID)),
	})
	return err
}

// VerificationToken returns the TXT record value a customer must publish.
func (r *Registry) VerificationToken(ctx context.Context, host string) (string, error) {
	res, _ := r.l.Client.KV.Namespaces.Values.Get(ctx, r.l.Namespace, claimKey(host), kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(r.l.AccountID),
	})
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	var c Claim
	if err := json.Unmarshal(body, &c); err != nil {
		return "", err
	}
	return "atlas-verify=" + c.Token, nil
}
