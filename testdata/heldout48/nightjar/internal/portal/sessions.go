// Package portal implements sign-in and sessions for the customer billing
// portal, where customers view and pay their invoices.
package portal

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ledgerline/nightjar/internal/keys"
	"github.com/ledgerline/nightjar/internal/kvstore"
	"github.com/ledgerline/nightjar/internal/tiercache"
	"github.com/ledgerline/nightjar/internal/uow"
)

const (
	sessionIdle   = 30 * time.Minute
	sessionMax    = 12 * time.Hour
	magicLinkTTL  = 15 * time.Minute
	otpTTL        = 10 * time.Minute
	otpMaxTries   = 5
	stepUpWindow  = 30 * time.Second
	sessionCookie = "nj_portal"
)

var (
	root        = keys.Key("portal")
	sessRoot    = root.Child("sess")
	logins      = root.Child("logins")
	magicRoot   = root.Child("magic")
	activity    = root.Child("last-seen")
	revokedRoot = root.Child("revoked")
	errExpired  = errors.New("portal: session expired")
)

// ErrInvalidLink is returned for unknown or used magic links.
var ErrInvalidLink = errors.New("portal: invalid or expired link")

// Session is a signed-in portal user.
type Session struct {
	ID         string    `json:"id"`
	Tenant     string    `json:"tenant"`
	CustomerID string    `json:"customer_id"`
	Email      string    `json:"email"`
	CSRF       string    `json:"csrf"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeen   time.Time `json:"last_seen"`
	ExpiresAt  time.Time `json:"expires_at"`
}

type magicLink struct {
	Tenant     string `json:"tenant"`
	CustomerID string `json:"customer_id"`
	Email      string `json:"email"`
}

// Portal holds the portal's KV-backed auth state.
type Portal struct {
	kv  *kvstore.Logged
	wb  *tiercache.WriteBehind
	log *slog.Logger
}

// New returns a Portal.
func New(kv *kvstore.Logged, wb *tiercache.WriteBehind, log *slog.Logger) *Portal {
	return &Portal{kv: kv, wb: wb, log: log}
}

// SendMagicLink stores a sign-in token for email and returns it for the
// mailer.
func (p *Portal) SendMagicLink(ctx context.Context, tenant, customerID, email string) (string, error) {
	token := randomID(32)
	b, err := json.Marshal(magicLink{Tenant: tenant, CustomerID: customerID, Email: strings.ToLower(email)})
	if err != nil {
		return "", err
	}
	if err := p.kv.Put(ctx, magicRoot.With(token).String(), b, magicLinkTTL); err != nil {
		return "", err
	}
	return token, nil
}

// RedeemMagicLink signs the user in with a token from SendMagicLink. A
// token works once.
func (p *Portal) RedeemMagicLink(ctx context.Context, token string) (*Session, error) {
	key := magicRoot.With(token).String()
	raw, err := p.kv.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrInvalidLink
	}
	if err != nil {
		return nil, err
	}
	var ml magicLink
	if err := json.Unmarshal(raw, &ml); err != nil {
		return nil, err
	}
	if err := p.kv.Delete(ctx, key); err != nil { // EXPECT kvsession
		return nil, err
	}
	return p.createSession(ctx, ml.Tenant, ml.CustomerID, ml.Email)
}

func (p *Portal) createSession(ctx context.Context, tenant, customerID, email string) (*Session, error) {
	now := time.Now().UTC()
	s := &Session{
		ID:         randomID(32),
		Tenant:     tenant,
		CustomerID: customerID,
		Email:      email,
		CSRF:       randomID(16),
		CreatedAt:  now,
		LastSeen:   now,
		ExpiresAt:  now.Add(sessionIdle),
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	u := uow.New(p.kv)
	u.PutTTL(sessRoot.With(s.ID).String(), b, sessionIdle) // DEBATABLE kvsession
	u.PutTTL(logins.With(tenant).Child(customerID, s.ID).String(), []byte("1"), sessionMax)
	if err := u.Commit(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Authenticate returns the session for the request's cookie and extends
// its idle timeout.
func (p *Portal) Authenticate(ctx context.Context, r *http.Request) (*Session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, err
	}
	key := sessRoot.With(c.Value).String()
	raw, err := p.kv.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	var s Session
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	if now.After(s.ExpiresAt) || now.Sub(s.CreatedAt) > sessionMax {
		return nil, errExpired
	}
	s.LastSeen = now
	s.ExpiresAt = now.Add(sessionIdle)
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	if err := p.kv.Put(ctx, key, b, sessionIdle); err != nil { // EXPECT kvsession|kvrace
		return nil, err
	}
	p.wb.Put(activity.With(s.Tenant).Child(s.CustomerID).String(), []byte(now.Format(time.RFC3339)))
	return &s, nil
}

// Logout ends one session. The session ID also goes on the revocation
// list that the edge worker checks before serving cached portal pages.
func (p *Portal) Logout(ctx context.Context, s *Session) error {
	ttl := time.Until(s.ExpiresAt)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	if err := p.kv.Put(ctx, revokedRoot.With(s.ID).String(), []byte("logout"), ttl); err != nil { // EXPECT kvsession
		return err
	}
	if err := p.kv.Delete(ctx, sessRoot.With(s.ID).String()); err != nil { // EXPECT kvsession
		return err
	}
	return p.kv.Delete(ctx, logins.With(s.Tenant).Child(s.CustomerID, s.ID).String())
}

// RevokeAll ends every session of a customer, after the billing contact
// changes or bank details are edited.
func (p *Portal) RevokeAll(ctx context.Context, tenant, customerID string) (int, error) {
	prefix := logins.With(tenant).Child(customerID).Prefix()
	page, err := p.kv.ListPage(ctx, prefix, "", 1000) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	u := uow.New(p.kv)
	for _, k := range page.Keys {
		id := strings.TrimPrefix(k.Name, prefix)
		u.Delete(sessRoot.With(id).String()) // EXPECT kvsession
		u.Delete(k.Name)
	}
	return len(page.Keys), u.Commit(ctx)
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

var (
	otpRoot    = root.Child("otp")
	stepUpRoot = root.Child("stepup")
)

var (
	// ErrBadCode is returned for an incorrect one-time code.
	ErrBadCode = errors.New("portal: incorrect code")
	// ErrLocked is returned after too many failed codes.
	ErrLocked = errors.New("portal: too many attempts")
)

// StartOTP stores a one-time code for a sensitive action (changing bank
// details) and returns it for the SMS sender.
func (p *Portal) StartOTP(ctx context.Context, s *Session) (string, error) {
	code := fmt.Sprintf("%06d", randUint32()%1_000_000)
	if err := p.kv.Put(ctx, otpRoot.With(s.ID).Child("code").String(), []byte(code), otpTTL); err != nil {
		return "", err
	}
	return code, nil
}

// VerifyOTP checks a code from StartOTP. After a correct code the session
// may perform sensitive actions for a short window.
func (p *Portal) VerifyOTP(ctx context.Context, s *Session, code string) error {
	attemptsKey := otpRoot.With(s.ID).Child("attempts").String()
	tries := 0
	raw, err := p.kv.Get(ctx, attemptsKey)
	switch {
	case err == nil:
		tries, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	if tries >= otpMaxTries {
		return ErrLocked
	}
	codeKey := otpRoot.With(s.ID).Child("code").String()
	want, err := p.kv.Get(ctx, codeKey)
	if errors.Is(err, kvstore.ErrNotFound) {
		return ErrBadCode
	}
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(want, []byte(code)) != 1 {
		if err := p.kv.Put(ctx, attemptsKey, []byte(strconv.Itoa(tries+1)), otpTTL); err != nil { // EXPECT kvcounter|kvrace
			return err
		}
		return ErrBadCode
	}
	if err := p.kv.Delete(ctx, codeKey); err != nil { // EXPECT kvsession
		return err
	}
	return p.kv.Put(ctx, stepUpRoot.With(s.ID).String(), []byte("1"), stepUpWindow) // EXPECT kvttl
}

func randUint32() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}
