// Package magiclink signs editors in by e-mailed link. It predates the
// sessions package and still uses the v2 client.
package magiclink

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"example.com/atlas/internal/legacy/kvv2"
)

var ErrInvalid = errors.New("magiclink: invalid or used link")

// Grant is what a link entitles its holder to.
type Grant struct {
	Email   string    `json:"email"`
	SiteID  string    `json:"site,omitempty"`
	Purpose string    `json:"purpose"`
	Issued  time.Time `json:"issued"`
}

// Issuer creates and redeems links.
type Issuer struct {
	l *kvv2.Legacy
}

func New(l *kvv2.Legacy) *Issuer { return &Issuer{l: l} }

func linkKey(token string) string { return "magic:" + token }

const signInLinkTTL = 15 * time.Minute

// Issue creates a sign-in link token for email.
func (i *Issuer) Issue(ctx context.Context, email string) (string, error) {
	return i.put(ctx, Grant{Email: email, Purpose: "sign-in", Issued: time.Now().UTC()}, kv.NamespaceBulkUpdateParamsBody{
		ExpirationTTL: cloudflare.F(signInLinkTTL.Seconds()),
	})
}

// IssueInvite creates an invitation to siteID valid until expiresAt.
func (i *Issuer) IssueInvite(ctx context.Context, email, siteID string, expiresAt time.Time) (string, error) {
	return i.put(ctx, Grant{Email: email, SiteID: siteID, Purpose: "invite", Issued: time.Now().UTC()}, kv.NamespaceBulkUpdateParamsBody{
		Expiration: cloudflare.F(float64(expiresAt.UnixMilli())), // EXPECT kvttl
	})
}

func (i *Issuer) put(ctx context.Context, g Grant, pair kv.NamespaceBulkUpdateParamsBody) (string, error) {
	var raw [24]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	b, err := json.Marshal(g)
	if err != nil {
		return "", err
	}
	pair.Key = cloudflare.F(linkKey(token))
	pair.Value = cloudflare.F(string(b))
	_, err = i.l.Client.KV.Namespaces.Bulk.Update(ctx, i.l.Namespace, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(i.l.AccountID),
		Body:      []kv.NamespaceBulkUpdateParamsBody{pair},
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// Redeem exchanges a token for its grant. A link works once.
func (i *Issuer) Redeem(ctx context.Context, token string) (Grant, error) {
	key := url.PathEscape(linkKey(token))
	res, err := i.l.Client.KV.Namespaces.Values.Get(ctx, i.l.Namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(i.l.AccountID),
	})
	if kvv2.IsNotFound(err) {
		return Grant{}, ErrInvalid
	}
	if err != nil {
		return Grant{}, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return Grant{}, err
	}
	var g Grant
	if err := json.Unmarshal(body, &g); err != nil {
		return Grant{}, ErrInvalid
	}
	if _, err := i.l.Client.KV.Namespaces.Values.Delete(ctx, i.l.Namespace, key, kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(i.l.AccountID),
	}); err != nil && !kvv2.IsNotFound(err) {
		return Grant{}, err
	}
	return g, nil
}
