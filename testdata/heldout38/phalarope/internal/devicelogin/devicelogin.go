// Package devicelogin implements the OAuth 2.0 device authorization grant
// (RFC 8628) used by `tollgate login`: the CLI shows a short user code, the
// user approves it in the browser, and the CLI polls for a token.
package devicelogin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate-dev/phalarope/internal/clock"
	"github.com/tollgate-dev/phalarope/internal/kv"
	"github.com/tollgate-dev/phalarope/internal/retry"
)

const (
	grantPrefix    kv.Prefix = "device:grant:"
	userCodePrefix kv.Prefix = "device:usercode:"
	pollPrefix     kv.Prefix = "device:poll:"
	attemptsPrefix kv.Prefix = "device:attempts:"
	verifyLimit    kv.Prefix = "ratelimit:verify:"

	grantLifetime = 10 * time.Minute
	pollInterval  = 5 * time.Second
	maxPolls      = 120
	verifyPerMin  = 20
)

// Errors returned to the CLI as RFC 8628 error codes.
var (
	ErrPending  = errors.New("authorization_pending")
	ErrSlowDown = errors.New("slow_down")
	ErrExpired  = errors.New("expired_token")
	ErrDenied   = errors.New("access_denied")
	ErrLimited  = errors.New("too_many_requests")
)

// Grant is the server-side state of one device login.
type Grant struct {
	DeviceHash string    `json:"device_hash"`
	UserCode   string    `json:"user_code"`
	ClientID   string    `json:"client_id"`
	Approved   bool      `json:"approved"`
	UserID     string    `json:"user_id,omitempty"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// now is replaced by tests.
var now = time.Now

func (g Grant) Key() string { return grantPrefix.Key(g.DeviceHash) }

// TTL keeps the grant exactly as long as its codes are valid.
func (g Grant) TTL() time.Duration {
	return g.ExpiresAt.Sub(now()) // EXPECT kvttl
}

// Start is what the CLI shows the user.
type Start struct {
	DeviceCode      string
	UserCode        string
	VerificationURI string
	ExpiresIn       int
	Interval        int
}

// Service runs the device flow.
type Service struct {
	KV      *kv.Client
	NS      kv.Namespace
	Clock   clock.Clock
	Issuer  func(ctx context.Context, userID, clientID string) (string, error)
	BaseURL string
}

func hashCode(code string) string {
	s := sha256.Sum256([]byte(code))
	return hex.EncodeToString(s[:])
}

const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

func newUserCode() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	var sb strings.Builder
	for i := range 8 {
		if i == 4 {
			sb.WriteByte('-')
		}
		sb.WriteByte(userCodeAlphabet[int(b[i])%len(userCodeAlphabet)])
	}
	return sb.String(), nil
}

// Begin starts a login for clientID.
func (s *Service) Begin(ctx context.Context, clientID string) (*Start, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	deviceCode := base64.RawURLEncoding.EncodeToString(raw)

	var userCode string
	for range 5 {
		c, err := newUserCode()
		if err != nil {
			return nil, err
		}
		_, err = s.NS.Get(ctx, s.KV, userCodePrefix.Key(c))
		if errors.Is(err, kv.ErrNotFound) {
			userCode = c
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if userCode == "" {
		return nil, errors.New("devicelogin: could not allocate a user code")
	}

	g := Grant{
		DeviceHash: hashCode(deviceCode),
		UserCode:   userCode,
		ClientID:   clientID,
		ExpiresAt:  s.Clock.Now().Add(grantLifetime),
	}
	if err := kv.Save(ctx, s.KV, s.NS, g); err != nil {
		return nil, err
	}
	if err := s.NS.PutTTL(ctx, s.KV, userCodePrefix.Key(userCode), []byte(g.DeviceHash), grantLifetime); err != nil { // DEBATABLE kvrace
		return nil, err
	}
	return &Start{
		DeviceCode:      deviceCode,
		UserCode:        userCode,
		VerificationURI: s.BaseURL + "/device",
		ExpiresIn:       int(grantLifetime.Seconds()),
		Interval:        int(pollInterval.Seconds()),
	}, nil
}

// Poll is called by the CLI every Interval seconds.
func (s *Service) Poll(ctx context.Context, deviceCode string) (string, error) {
	h := hashCode(deviceCode)

	if _, err := s.NS.Get(ctx, s.KV, pollPrefix.Key(h)); err == nil {
		return "", ErrSlowDown
	}
	if err := s.NS.PutTTL(ctx, s.KV, pollPrefix.Key(h), []byte("1"), pollInterval); err != nil { // EXPECT kvttl
		return "", err
	}
	if err := s.countPoll(ctx, h); err != nil {
		return "", err
	}

	g, err := kv.Load[Grant](ctx, s.KV, s.NS, grantPrefix.Key(h))
	if errors.Is(err, kv.ErrNotFound) {
		return "", ErrExpired
	}
	if err != nil {
		return "", err
	}
	if !g.Approved {
		return "", ErrPending
	}

	token, err := s.Issuer(ctx, g.UserID, g.ClientID)
	if err != nil {
		return "", err
	}
	if err := kv.Forget(ctx, s.KV, s.NS, g); err != nil { // EXPECT kvsession
		return "", err
	}
	return token, nil
}

// countPoll stops clients that keep polling past any sensible interval.
func (s *Service) countPoll(ctx context.Context, h string) error {
	key := attemptsPrefix.Key(h)
	n := 0
	raw, err := s.NS.Get(ctx, s.KV, key)
	switch {
	case errors.Is(err, kv.ErrNotFound):
	case err != nil:
		return err
	default:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("attempts %s: %w", key, err)
		}
	}
	if n >= maxPolls {
		return ErrExpired
	}
	return s.NS.PutTTL(ctx, s.KV, key, []byte(strconv.Itoa(n+1)), grantLifetime) // EXPECT kvcounter|kvrace
}

// allowVerify limits how many user codes one IP may try per minute on the
// browser verification page.
func (s *Service) allowVerify(ctx context.Context, ip string) error {
	minute := s.Clock.Now().UTC().Format("200601021504")
	key := verifyLimit.Key(ip, minute)
	n, err := retry.Value(ctx, retry.Quick, func(ctx context.Context) (int, error) {
		raw, err := s.NS.Get(ctx, s.KV, key)
		if errors.Is(err, kv.ErrNotFound) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		return strconv.Atoi(string(raw))
	})
	if err != nil {
		return err
	}
	if n >= verifyPerMin {
		return ErrLimited
	}
	return s.NS.PutTTL(ctx, s.KV, key, []byte(strconv.Itoa(n+1)), 2*time.Minute) // EXPECT kvcounter|kvrace
}

// Approve is called from the browser once the user has signed in and typed
// the user code.
func (s *Service) Approve(ctx context.Context, ip, userCode, userID string) error {
	if err := s.allowVerify(ctx, ip); err != nil {
		return err
	}
	userCode = strings.ToUpper(strings.TrimSpace(userCode))
	h, err := s.NS.Get(ctx, s.KV, userCodePrefix.Key(userCode))
	if errors.Is(err, kv.ErrNotFound) {
		return ErrExpired
	}
	if err != nil {
		return err
	}
	g, err := kv.Load[Grant](ctx, s.KV, s.NS, grantPrefix.Key(string(h)))
	if err != nil {
		return err
	}
	g.Approved = true
	g.UserID = userID
	if err := kv.Save(ctx, s.KV, s.NS, g); err != nil { // EXPECT kvsession|kvrace
		return err
	}
	return s.NS.Delete(ctx, s.KV, userCodePrefix.Key(userCode)) // EXPECT kvsession
}
