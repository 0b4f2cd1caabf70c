// Package oauth implements the OAuth 2.0 device authorization grant (RFC 8628)
// and refresh-token rotation for the platform CLI.
package oauth

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"sanderling/internal/config"
	"sanderling/internal/kvstore"
)

// Errors carry the error codes of RFC 8628 section 3.5 and RFC 6749.
var (
	ErrAuthorizationPending = errors.New("authorization_pending")
	ErrSlowDown             = errors.New("slow_down")
	ErrAccessDenied         = errors.New("access_denied")
	ErrExpiredToken         = errors.New("expired_token")
	ErrInvalidGrant         = errors.New("invalid_grant")
)

const maxAttempts = 5

// Grant is a pending or decided device authorization.
type Grant struct {
	DeviceCode string    `json:"dc"`
	UserCode   string    `json:"uc"`
	ClientID   string    `json:"cid"`
	Scopes     []string  `json:"scp"`
	Status     string    `json:"st"` // pending, approved, denied
	UserID     string    `json:"uid,omitempty"`
	ExpiresAt  time.Time `json:"exp"`
	LastPoll   time.Time `json:"lp"`
}

// RefreshToken is the stored state of one refresh token.
type RefreshToken struct {
	Family    string    `json:"fam"`
	UserID    string    `json:"uid"`
	ClientID  string    `json:"cid"`
	Scopes    []string  `json:"scp"`
	ExpiresAt time.Time `json:"exp"`
}

// Tokens is the token endpoint's response.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

// DeviceFlow runs the device grant on the auth namespace.
type DeviceFlow struct {
	ns      kvstore.Namespace // prefixed "oauth:", TTLs floored at one minute
	grants  *kvstore.Typed[Grant]
	refresh *kvstore.Typed[RefreshToken]
	signKey []byte
	now     func() time.Time
}

// NewDeviceFlow returns a DeviceFlow over ns.
func NewDeviceFlow(ns kvstore.Namespace, signKey []byte) *DeviceFlow {
	return &DeviceFlow{
		ns:      ns,
		grants:  kvstore.NewTyped[Grant](ns, kvstore.JSON[Grant]{}),
		refresh: kvstore.NewTyped[RefreshToken](ns, kvstore.JSON[RefreshToken]{}),
		signKey: signKey,
		now:     time.Now,
	}
}

func digest(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

func deviceKey(dc string) kvstore.Key   { return kvstore.Key("device").Hash(digest(dc)) }
func userCodeKey(uc string) kvstore.Key { return kvstore.Key("usercode").Child(uc) }
func refreshKey(rt string) kvstore.Key  { return kvstore.Key("refresh").Hash(digest(rt)) }
func attemptsKey(ip string) kvstore.Key { return kvstore.Key("attempts").Escaped(ip) }

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// newUserCode returns eight letters without look-alikes, as XXXX-XXXX.
func newUserCode() string {
	const alphabet = "BCDFGHJKLMNPQRSTVWXZ"
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:4]) + "-" + string(b[4:])
}

// Start begins a device authorization for clientID.
func (f *DeviceFlow) Start(ctx context.Context, clientID string, scopes []string) (Grant, error) {
	g := Grant{DeviceCode: randomToken(32), ClientID: clientID, Scopes: scopes, Status: "pending",
		ExpiresAt: f.now().Add(config.DeviceCodeTTL)}
	for range 5 {
		uc := newUserCode()
		if _, err := f.ns.Get(ctx, userCodeKey(uc)); kvstore.IsNotFound(err) {
			g.UserCode = uc
			break
		} else if err != nil {
			return Grant{}, err
		}
	}
	if g.UserCode == "" {
		return Grant{}, errors.New("oauth: no free user code")
	}
	if err := f.ns.Put(ctx, userCodeKey(g.UserCode), []byte(g.DeviceCode), kvstore.PutOptions{TTL: config.TTLs["device"]}); err != nil { // DEBATABLE kvrace
		return Grant{}, err
	}
	return g, f.grants.Save(ctx, deviceKey(g.DeviceCode), g, kvstore.PutOptions{ExpireAt: g.ExpiresAt})
}

// recordFailure counts a mistyped user code from ip.
func (f *DeviceFlow) recordFailure(ctx context.Context, ip string) error {
	k := attemptsKey(ip)
	n := 0
	if raw, err := f.ns.Get(ctx, k); err == nil { // EXPECT kvnull
		n, _ = strconv.Atoi(string(raw))
	}
	return f.ns.Put(ctx, k, []byte(strconv.Itoa(n+1)), kvstore.PutOptions{TTL: config.TTLs["lockout"]}) // EXPECT kvcounter
}

// Approve lets the signed-in userID grant the device showing userCode.
func (f *DeviceFlow) Approve(ctx context.Context, userCode, userID, ip string) error {
	raw, err := f.ns.Get(ctx, attemptsKey(ip))
	if err != nil && !kvstore.IsNotFound(err) {
		return err
	}
	if n, _ := strconv.Atoi(string(raw)); n >= maxAttempts {
		return ErrSlowDown
	}
	dc, err := f.ns.Get(ctx, userCodeKey(strings.ToUpper(strings.TrimSpace(userCode))))
	if kvstore.IsNotFound(err) {
		return errors.Join(ErrInvalidGrant, f.recordFailure(ctx, ip))
	} else if err != nil {
		return err
	}
	k := deviceKey(string(dc))
	g, err := f.grants.Load(ctx, k)
	if kvstore.IsNotFound(err) {
		return ErrExpiredToken
	} else if err != nil {
		return err
	}
	if g.Status != "pending" {
		return ErrInvalidGrant
	}
	g.Status, g.UserID = "approved", userID
	return f.grants.Save(ctx, k, g, kvstore.PutOptions{TTL: time.Until(g.ExpiresAt)}) // EXPECT kvsession|kvrace
}

// Poll is the device_code grant of the token endpoint.
func (f *DeviceFlow) Poll(ctx context.Context, deviceCode, clientID string) (Tokens, error) {
	k := deviceKey(deviceCode)
	g, err := f.grants.Load(ctx, k)
	if kvstore.IsNotFound(err) {
		return Tokens{}, ErrExpiredToken
	} else if err != nil {
		return Tokens{}, err
	}
	now := f.now()
	switch {
	case g.ClientID != clientID:
		return Tokens{}, ErrInvalidGrant
	case g.Status == "denied":
		return Tokens{}, ErrAccessDenied
	case g.Status == "pending":
		if now.Sub(g.LastPoll) < config.PollInterval {
			return Tokens{}, ErrSlowDown
		}
		g.LastPoll = now
		err := f.grants.Save(ctx, k, g, kvstore.PutOptions{ // EXPECT kvsession|kvrace
			ExpireAt: g.ExpiresAt, // DEBATABLE kvttl
		})
		return Tokens{}, cmp.Or(err, ErrAuthorizationPending)
	}
	// Approved: the device code is single use.
	if err := f.grants.Remove(ctx, k); err != nil { // EXPECT kvsession
		return Tokens{}, err
	}
	return f.issue(ctx, RefreshToken{UserID: g.UserID, ClientID: g.ClientID, Scopes: g.Scopes})
}

// Refresh is the refresh_token grant. Refresh tokens are rotated on use.
func (f *DeviceFlow) Refresh(ctx context.Context, token, clientID string) (Tokens, error) {
	k := refreshKey(token)
	rec, err := f.refresh.Load(ctx, k)
	if kvstore.IsNotFound(err) || (err == nil && (rec.ClientID != clientID || !f.now().Before(rec.ExpiresAt))) {
		return Tokens{}, ErrInvalidGrant
	} else if err != nil {
		return Tokens{}, err
	}
	if err := f.refresh.Remove(ctx, k); err != nil { // EXPECT kvsession
		return Tokens{}, err
	}
	return f.issue(ctx, rec)
}

// issue mints an access token and a fresh refresh token in family rec.Family.
// Access tokens are HMAC-signed, so resource servers need no KV lookup.
func (f *DeviceFlow) issue(ctx context.Context, rec RefreshToken) (Tokens, error) {
	now := f.now()
	rec.Family = cmp.Or(rec.Family, randomToken(12))
	rec.ExpiresAt = cmp.Or(rec.ExpiresAt, now.Add(config.RefreshTokenTTL))
	rt := randomToken(32)
	ttl := max(time.Until(rec.ExpiresAt), time.Minute)
	if err := f.refresh.Save(ctx, refreshKey(rt), rec, kvstore.PutOptions{TTL: ttl}); err != nil {
		return Tokens{}, err
	}
	claims := fmt.Sprintf(`{"sub":%q,"cid":%q,"scope":%q,"exp":%d}`,
		rec.UserID, rec.ClientID, strings.Join(rec.Scopes, " "), now.Add(config.KeyCacheTTL).Unix())
	body := base64.RawURLEncoding.EncodeToString([]byte(claims))
	mac := hmac.New(sha256.New, f.signKey)
	mac.Write([]byte(body))
	access := body + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	return Tokens{AccessToken: access, RefreshToken: rt, TokenType: "Bearer", ExpiresIn: int(config.KeyCacheTTL.Seconds())}, nil
}
