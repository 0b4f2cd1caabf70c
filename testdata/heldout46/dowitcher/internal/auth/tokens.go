package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"dowitcher/internal/kvstore"
)

// DeviceToken is the record behind a device bearer token.
type DeviceToken struct {
	Fleet    string    `json:"fleet"`
	Serial   string    `json:"serial"`
	Issued   time.Time `json:"iat"`
	Expires  time.Time `json:"exp"`
	Replaces string    `json:"replaces,omitempty"`
}

// ErrLockedOut is returned after too many failed device logins.
var ErrLockedOut = errors.New("auth: device locked out")

// maxFailures is how many bad secrets a device may send before lockout.
const maxFailures = 5

// challengeWindow is how long a device has to answer a pairing challenge.
const challengeWindow = 30 * time.Second

// Tokens issues and checks device bearer tokens.
type Tokens struct {
	kv  *kvstore.Store
	ttl time.Duration
}

// NewTokens returns a token store whose tokens live for ttl.
func NewTokens(kv *kvstore.Store, ttl time.Duration) *Tokens { return &Tokens{kv: kv, ttl: ttl} }

func tokenKey(secret string) string { return kvstore.Join("dtok", kvstore.TokenHash(secret)) }

// Mint creates a token for a device and returns its secret.
func (t *Tokens) Mint(ctx context.Context, fleet, serial string) (string, error) {
	secret, err := randomID(32)
	if err != nil {
		return "", err
	}
	now := time.Now().UTC()
	rec := DeviceToken{Fleet: fleet, Serial: serial, Issued: now, Expires: now.Add(t.ttl)}
	b, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	api, rc := t.kv.API()
	_, err = api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: t.kv.Namespace(),
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           tokenKey(secret),
			Value:         string(b),
			ExpirationTTL: int(t.ttl), // EXPECT kvttl
			Metadata:      map[string]string{"fleet": fleet, "serial": serial},
		}},
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// Verify returns the token record for secret.
func (t *Tokens) Verify(ctx context.Context, secret string) (*DeviceToken, error) {
	raw, found, err := t.kv.Lookup(ctx, tokenKey(secret))
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrNoSession
	}
	var rec DeviceToken
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, err
	}
	if _, revoked, err := t.kv.Lookup(ctx, kvstore.Join("revoked", kvstore.TokenHash(secret))); err != nil { // DEBATABLE kvsession
		return nil, err
	} else if revoked {
		return nil, ErrNoSession
	}
	return &rec, nil
}

// Rotate replaces a token with a fresh one and retires the old secret.
func (t *Tokens) Rotate(ctx context.Context, oldSecret string) (newSecret string, err error) {
	rec, err := t.Verify(ctx, oldSecret)
	if err != nil {
		return "", err
	}
	newSecret, err = t.Mint(ctx, rec.Fleet, rec.Serial)
	if err != nil {
		return "", err
	}
	if err := t.kv.Delete(ctx, tokenKey(oldSecret)); err != nil { // EXPECT kvsession
		return "", fmt.Errorf("rotate: retire old token: %w", err)
	}
	return newSecret, nil
}

// Revoke blocks a secret until it would have expired anyway.
func (t *Tokens) Revoke(ctx context.Context, secret string, until time.Time) error {
	return t.kv.PutUntil(ctx, kvstore.Join("revoked", kvstore.TokenHash(secret)), []byte("1"), until) // EXPECT kvsession
}

// RecordFailure counts a failed device login and reports lockout.
func (t *Tokens) RecordFailure(ctx context.Context, fleet, serial string) error {
	key := kvstore.DeviceKey(fleet, serial, "auth_attempts")
	n := 0
	raw, found, err := t.kv.Lookup(ctx, key)
	if err != nil {
		return err
	}
	if found {
		if n, err = strconv.Atoi(string(raw)); err != nil {
			n = 0
		}
	}
	n++
	if err := t.kv.PutTTL(ctx, key, []byte(strconv.Itoa(n)), time.Hour); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	if n >= maxFailures {
		return ErrLockedOut
	}
	return nil
}

// IssueChallenge stores a pairing nonce the device must sign.
func (t *Tokens) IssueChallenge(ctx context.Context, fleet, serial string) (string, error) {
	nonce, err := randomID(16)
	if err != nil {
		return "", err
	}
	key := kvstore.DeviceKey(fleet, serial, "pair_nonce")
	if err := t.kv.PutUntil(ctx, key, []byte(nonce), time.Now().Add(challengeWindow)); err != nil { // EXPECT kvttl
		return "", err
	}
	return nonce, nil
}

// IssueRecoveryCode stores a printed recovery code that lets support
// re-pair a device whose token was lost. It is valid for a week.
func (t *Tokens) IssueRecoveryCode(ctx context.Context, fleet, serial string) (string, error) {
	code, err := randomID(9)
	if err != nil {
		return "", err
	}
	exp := time.Now().Add(7 * 24 * time.Hour)
	api, rc := t.kv.API()
	_, err = api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: t.kv.Namespace(),
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        kvstore.DeviceKey(fleet, serial, "recovery"),
			Value:      code,
			Expiration: int(exp.UnixMilli()), // EXPECT kvttl
		}},
	})
	return code, err
}
