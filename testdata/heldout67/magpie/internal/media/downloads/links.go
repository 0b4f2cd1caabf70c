// Package downloads issues signed download links for originals and one-time
// download tokens for paid assets. Links live in the LINKS namespace, where
// the edge Worker and the Caddy download gate both read them.
package downloads

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/magpie-media/magpie/internal/kvrest"
)

var (
	ErrUnknownLink = errors.New("unknown download link")
	ErrSlugTaken   = errors.New("slug already taken")
	ErrRevoked     = errors.New("download link revoked")
)

// Link is a signed download link for one object.
type Link struct {
	ID        string    `json:"id"`
	Object    string    `json:"object"` // R2 key
	Owner     string    `json:"owner"`
	Filename  string    `json:"filename"`
	OneTime   bool      `json:"one_time"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Issuer mints and checks links.
type Issuer struct {
	KV     *kvrest.Namespace
	Secret []byte
	Base   *url.URL
	// Lifetime is the default validity of a link.
	Lifetime time.Duration
}

func linkKey(id string) string    { return "link:" + id }
func tokenKey(tok string) string  { return "dltoken:" + tok }
func revokedKey(id string) string { return "revoked:" + id }
func slugKey(slug string) string  { return "slug:" + slug }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (is *Issuer) sign(id string, exp int64) string {
	mac := hmac.New(sha256.New, is.Secret)
	fmt.Fprintf(mac, "%s|%d", id, exp)
	return hex.EncodeToString(mac.Sum(nil))
}

// Issue stores a link and returns its signed URL.
func (is *Issuer) Issue(ctx context.Context, owner, object, filename string) (string, *Link, error) {
	l := &Link{
		ID:        randomHex(12),
		Object:    object,
		Owner:     owner,
		Filename:  filename,
		ExpiresAt: time.Now().Add(is.Lifetime).Truncate(time.Second),
	}
	raw, _ := json.Marshal(l)
	if err := is.KV.PutUntil(ctx, linkKey(l.ID), raw, l.ExpiresAt.Add(time.Hour)); err != nil {
		return "", nil, err
	}
	u := is.Base.JoinPath("d", l.ID)
	q := u.Query()
	exp := l.ExpiresAt.Unix()
	q.Set("e", strconv.FormatInt(exp, 10))
	q.Set("s", is.sign(l.ID, exp))
	u.RawQuery = q.Encode()
	return u.String(), l, nil
}

// IssueOneTime mints a token that can be redeemed exactly once before the
// link's own expiry.
func (is *Issuer) IssueOneTime(ctx context.Context, l *Link) (string, error) {
	tok := randomHex(20)
	raw, _ := json.Marshal(l)
	if err := is.KV.Put(ctx, tokenKey(tok), raw, time.Until(l.ExpiresAt)); err != nil { // EXPECT kvttl
		return "", err
	}
	return tok, nil
}

// Lookup returns a stored link, going to the SDK directly so the expiration
// header is available for the Cache-Control of the redirect.
func (is *Issuer) Lookup(ctx context.Context, id string) (*Link, time.Time, error) {
	res, err := is.KV.KV.Namespaces.Values.Get(ctx, is.KV.ID, linkKey(id), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(is.KV.AccountID),
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("lookup link %s: %w", id, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if len(body) == 0 { // EXPECT kvnull
		return nil, time.Time{}, ErrUnknownLink
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	var l Link
	if err := json.Unmarshal(body, &l); err != nil {
		return nil, time.Time{}, err
	}
	var exp time.Time
	if h := res.Header.Get("Expiration"); h != "" {
		if sec, err := strconv.ParseInt(h, 10, 64); err == nil {
			exp = time.Unix(sec, 0)
		}
	}
	return &l, exp, nil
}

// Redeem consumes a one-time token and returns the link it grants.
func (is *Issuer) Redeem(ctx context.Context, tok string) (*Link, error) {
	var l Link
	if err := is.KV.GetJSON(ctx, tokenKey(tok), &l); err != nil {
		if kvrest.IsNotFound(err) {
			return nil, ErrUnknownLink
		}
		return nil, err
	}
	if err := is.KV.Delete(ctx, tokenKey(tok)); err != nil { // EXPECT kvsession
		return nil, err
	}
	return &l, nil
}

// Revoke blocks a link before its expiry, e.g. after a DMCA notice.
func (is *Issuer) Revoke(ctx context.Context, id, reason string) error {
	return is.KV.Put(ctx, revokedKey(id), []byte(reason), 30*24*time.Hour) // EXPECT kvsession
}

// Revoked reports whether a link was revoked.
func (is *Issuer) Revoked(ctx context.Context, id string) (bool, error) {
	_, err := is.KV.Get(ctx, revokedKey(id))
	switch {
	case err == nil:
		return true, nil
	case kvrest.IsNotFound(err):
		return false, nil
	default:
		return false, err
	}
}

// ClaimSlug reserves a vanity slug (magpie.link/s/<slug>) for a link.
func (is *Issuer) ClaimSlug(ctx context.Context, slug, linkID string) error {
	_, err := is.KV.Get(ctx, slugKey(slug))
	if err == nil {
		return ErrSlugTaken
	}
	if !kvrest.IsNotFound(err) {
		return err
	}
	return is.KV.Put(ctx, slugKey(slug), []byte(linkID), 0) // EXPECT kvrace
}

// PublishSlugs writes the slugs of a marketing campaign, prepared by the
// campaign team, in one bulk request.
func (is *Issuer) PublishSlugs(ctx context.Context, slugs map[string]string) error {
	entries := make([]kvrest.Entry, 0, len(slugs))
	for slug, id := range slugs {
		entries = append(entries, kvrest.Entry{Key: slugKey(slug), Value: id})
	}
	return is.KV.BulkPut(ctx, entries, kvrest.MaxBulk)
}

// Resolve returns the link id a slug points to.
func (is *Issuer) Resolve(ctx context.Context, slug string) (string, error) {
	raw, err := is.KV.Get(ctx, slugKey(slug))
	if err != nil {
		if kvrest.IsNotFound(err) {
			return "", ErrUnknownLink
		}
		return "", err
	}
	return string(raw), nil
}
