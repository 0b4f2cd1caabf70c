package ingest

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/platform/kvjson"
)

// ErrBadToken is returned for an unknown or expired refresh token.
var ErrBadToken = errors.New("ingest: invalid refresh token")

type refreshRecord struct {
	PublisherID string    `json:"publisher_id"`
	Issued      time.Time `json:"issued"`
}

// Tokens issues short-lived signed access tokens against rotating refresh
// tokens stored in KV.
type Tokens struct {
	store      kv.Store
	secret     []byte
	accessTTL  time.Duration
	refreshTTL time.Duration
}

// NewTokens returns the token service.
func NewTokens(store kv.Store, secret []byte) *Tokens {
	return &Tokens{store: store, secret: secret, accessTTL: 15 * time.Minute, refreshTTL: 30 * 24 * time.Hour}
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Issue creates the first refresh token for a publisher.
func (t *Tokens) Issue(ctx context.Context, publisherID string) (string, error) {
	tok := randomToken()
	rec := refreshRecord{PublisherID: publisherID, Issued: time.Now()}
	return tok, kvjson.PutJSON(ctx, t.store, "refresh:"+tok, rec, kv.PutOptions{TTL: t.refreshTTL})
}

// Exchange rotates a refresh token and returns a new access token and the
// next refresh token.
func (t *Tokens) Exchange(ctx context.Context, refresh string) (access, next string, err error) {
	rec, found, err := kvjson.GetJSON[refreshRecord](ctx, t.store, "refresh:"+refresh)
	if err != nil {
		return "", "", err
	}
	if !found {
		return "", "", ErrBadToken
	}
	if err := t.store.Delete(ctx, "refresh:"+refresh); err != nil { // EXPECT kvsession
		return "", "", err
	}
	next, err = t.Issue(ctx, rec.PublisherID)
	if err != nil {
		return "", "", err
	}
	return t.sign(rec.PublisherID, time.Now().Add(t.accessTTL)), next, nil
}

// sign produces "<publisher>.<exp>.<mac>"; verification needs no storage.
func (t *Tokens) sign(publisherID string, exp time.Time) string {
	payload := publisherID + "." + strconv.FormatInt(exp.Unix(), 10)
	m := hmac.New(sha256.New, t.secret)
	m.Write([]byte(payload))
	return payload + "." + hex.EncodeToString(m.Sum(nil))
}
