package portal

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
	cfv2 "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"gadwall/internal/clock"
	"gadwall/internal/keys"
	"gadwall/internal/kvstore"
)

// Errors returned by the portal.
var (
	ErrEmailTaken   = errors.New("portal: email already registered")
	ErrBadLogin     = errors.New("portal: wrong email or password")
	ErrThrottled    = errors.New("portal: too many attempts")
	ErrInvalidToken = errors.New("portal: invalid or used token")
	ErrBadCode      = errors.New("portal: wrong code")
)

const (
	otpTTLSeconds     = 45
	pairingWindowSecs = 50
	maxIndexPages     = 10
)

// Mailer sends transactional email.
type Mailer interface {
	Send(ctx context.Context, to, template string, data map[string]string) error
}

// Customer is a portal account.
type Customer struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Portal implements the customer-facing account flows.
type Portal struct {
	store    *kvstore.RESTStore
	pairing  *kvstore.V2Store
	Sessions *Sessions
	clock    clock.Clock
	mail     Mailer

	magicTTL, refreshTTL, window time.Duration
	maxAttempts                  int
}

// Options configures a Portal.
type Options struct {
	Store                                         *kvstore.RESTStore
	Pairing                                       *kvstore.V2Store
	Clock                                         clock.Clock
	Mailer                                        Mailer
	SessionTTL, MagicTTL, RefreshTTL, LoginWindow time.Duration
	MaxAttempts                                   int
}

// New builds a Portal.
func New(o Options) *Portal {
	return &Portal{
		store: o.Store, pairing: o.Pairing, clock: o.Clock, mail: o.Mailer,
		Sessions: NewSessions(o.Store, o.Clock, o.SessionTTL),
		magicTTL: o.MagicTTL, refreshTTL: o.RefreshTTL, window: o.LoginWindow, maxAttempts: o.MaxAttempts,
	}
}

func hashSecret(secret, salt string) string {
	key, _ := pbkdf2.Key(sha256.New, secret, []byte(salt), 210_000, 32)
	return hex.EncodeToString(key)
}

// Signup registers a new customer under an email address.
func (p *Portal) Signup(ctx context.Context, email, name, password string) (*Customer, error) {
	ek := keys.Email(email)
	if _, err := p.store.Get(ctx, ek); err == nil {
		return nil, ErrEmailTaken
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	c := &Customer{ID: "cus_" + rand.Text(), Email: strings.ToLower(email), Name: name, CreatedAt: p.clock.Now()}
	if err := p.store.Put(ctx, ek, []byte(c.ID)); err != nil { // EXPECT kvrace
		return nil, err
	}
	if err := p.setPassword(ctx, c.ID, password); err != nil {
		return nil, err
	}
	b, _ := json.Marshal(c)
	return c, p.store.Put(ctx, keys.Customer(c.ID), b)
}

func (p *Portal) setPassword(ctx context.Context, customerID, password string) error {
	salt := rand.Text()
	return p.store.Put(ctx, keys.Static("credential/"+customerID), []byte(salt+":"+hashSecret(password, salt)))
}

// Login checks a password and starts a session.
func (p *Portal) Login(ctx context.Context, clientIP, email, password, userAgent string) (*Session, error) {
	if _, err := p.store.Get(ctx, keys.Static("lockout/"+clientIP)); err == nil {
		return nil, ErrThrottled
	}
	id, err := p.store.Get(ctx, keys.Email(email))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, p.fail(ctx, clientIP)
	}
	if err != nil {
		return nil, err
	}
	cred, err := p.store.Get(ctx, keys.Static("credential/"+string(id)))
	if err != nil {
		return nil, fmt.Errorf("portal: load credential: %w", err)
	}
	salt, hash, _ := strings.Cut(string(cred), ":")
	if subtle.ConstantTimeCompare([]byte(hashSecret(password, salt)), []byte(hash)) != 1 {
		return nil, p.fail(ctx, clientIP)
	}
	return p.Sessions.Create(ctx, string(id), userAgent)
}

// fail records a failed login for the client address and locks it out once
// it used up its attempts.
func (p *Portal) fail(ctx context.Context, clientIP string) error {
	k := keys.LoginThrottle(clientIP)
	var t struct {
		Count int       `json:"count"`
		First time.Time `json:"first"`
	}
	raw, err := p.store.Get(ctx, k)
	switch {
	case err == nil:
		_ = json.Unmarshal(raw, &t)
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	now := p.clock.Now()
	if t.Count == 0 {
		t.First = now
	}
	t.Count++
	b, _ := json.Marshal(t)
	if err := p.store.PutTTL(ctx, k, b, p.window); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	if t.Count < p.maxAttempts {
		return ErrBadLogin
	}
	ttl := max(p.window-now.Sub(t.First), 5*time.Second)
	if err := p.store.PutTTL(ctx, keys.Static("lockout/"+clientIP), []byte(now.Format(time.RFC3339)), ttl); err != nil { // EXPECT kvttl
		return err
	}
	return ErrThrottled
}

// Logout ends the current session.
func (p *Portal) Logout(ctx context.Context, s *Session) error {
	return s.Delete(ctx) // EXPECT kvsession
}

// SwitchTenant selects which vendor's licences the portal shows.
func (p *Portal) SwitchTenant(ctx context.Context, s *Session, tenantID string) error {
	s.TenantID = tenantID
	return s.Save(ctx) // EXPECT kvsession|kvrace
}

// SendMagicLink mails a one-time login link. Unknown addresses are ignored
// so that the endpoint does not reveal which emails have accounts.
func (p *Portal) SendMagicLink(ctx context.Context, email, baseURL string) error {
	id, err := p.store.Get(ctx, keys.Email(email))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	tok := rand.Text()
	if err := p.store.PutTTL(ctx, keys.MagicLink(tok), id, p.magicTTL); err != nil {
		return err
	}
	return p.mail.Send(ctx, email, "magic-link", map[string]string{"url": baseURL + "/login/magic?t=" + tok})
}

// RedeemMagicLink trades a link token for a session.
func (p *Portal) RedeemMagicLink(ctx context.Context, token, userAgent string) (*Session, error) {
	k := keys.MagicLink(token)
	id, err := p.store.Get(ctx, k)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrInvalidToken
	}
	if err != nil {
		return nil, err
	}
	if err := p.store.Delete(ctx, k); err != nil { // EXPECT kvsession
		return nil, err
	}
	return p.Sessions.Create(ctx, string(id), userAgent)
}

func sixDigits() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

// SendOTP mails a six-digit step-up code for a sensitive change.
func (p *Portal) SendOTP(ctx context.Context, customerID, purpose string) error {
	raw, err := p.store.Get(ctx, keys.Customer(customerID))
	if err != nil {
		return err
	}
	var c Customer
	if err := json.Unmarshal(raw, &c); err != nil {
		return err
	}
	code := sixDigits()
	api, rc, ns := p.store.API()
	_, err = api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{ // DEBATABLE kvsession
		NamespaceID: ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           keys.OTP{Customer: customerID, Purpose: purpose}.String(),
			Value:         hashSecret(code, customerID),
			ExpirationTTL: otpTTLSeconds, // EXPECT kvttl
		}},
	})
	if err != nil {
		return err
	}
	return p.mail.Send(ctx, c.Email, "otp", map[string]string{"code": code, "purpose": purpose})
}

// VerifyOTP checks and consumes a step-up code.
func (p *Portal) VerifyOTP(ctx context.Context, customerID, purpose, code string) error {
	k := keys.OTP{Customer: customerID, Purpose: purpose}
	stored, err := p.store.Get(ctx, k)
	if errors.Is(err, kvstore.ErrNotFound) {
		return ErrBadCode
	}
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(stored, []byte(hashSecret(code, customerID))) != 1 {
		return ErrBadCode
	}
	return p.store.Delete(ctx, k) // EXPECT kvsession
}

// ChangePassword sets a new password after a step-up code and signs out
// every other session of the customer.
func (p *Portal) ChangePassword(ctx context.Context, s *Session, code, password string) error {
	if err := p.VerifyOTP(ctx, s.Customer, "password", code); err != nil {
		return err
	}
	if err := p.setPassword(ctx, s.Customer, password); err != nil {
		return err
	}
	prefix, cursor := keys.SessionIndexPrefix(s.Customer), ""
	for page := 0; page < maxIndexPages; page++ {
		res, err := p.store.List(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			id := keys.SessionID(strings.TrimPrefix(k.Name, prefix))
			if id == s.ID {
				continue
			}
			if err := p.store.Delete(ctx, id); err != nil && !errors.Is(err, kvstore.ErrNotFound) { // EXPECT kvsession
				return err
			}
			_ = p.store.Delete(ctx, keys.Raw(k.Name)) // DEBATABLE kvsession
		}
		if cursor = res.Cursor; cursor == "" {
			break
		}
	}
	return nil
}

// IssueRefresh mints a refresh token for the desktop app.
func (p *Portal) IssueRefresh(ctx context.Context, customerID string) (string, error) {
	tok := rand.Text() + rand.Text()
	return tok, p.store.PutTTL(ctx, keys.RefreshToken(tok), []byte(customerID), p.refreshTTL)
}

// Rotate trades a refresh token for a new one and a session.
func (p *Portal) Rotate(ctx context.Context, old, userAgent string) (string, *Session, error) {
	id, err := p.store.Get(ctx, keys.RefreshToken(old))
	if errors.Is(err, kvstore.ErrNotFound) {
		return "", nil, ErrInvalidToken
	}
	if err != nil {
		return "", nil, err
	}
	if err := p.store.Delete(ctx, keys.RefreshToken(old)); err != nil { // EXPECT kvsession
		return "", nil, err
	}
	tok, err := p.IssueRefresh(ctx, string(id))
	if err != nil {
		return "", nil, err
	}
	s, err := p.Sessions.Create(ctx, string(id), userAgent)
	return tok, s, err
}

// StartPairing shows a short code that the desktop app types in to link
// itself to the signed-in account.
func (p *Portal) StartPairing(ctx context.Context, s *Session) (string, error) {
	code := sixDigits()
	client, account, ns := p.pairing.Client()
	_, err := client.KV.Namespaces.Bulk.Update(ctx, ns, kv.NamespaceBulkUpdateParams{
		AccountID: cfv2.F(account),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cfv2.F("pairing/" + code),
			Value:      cfv2.F(s.Customer),
			Expiration: cfv2.F(float64(p.clock.Now().Unix() + pairingWindowSecs)), // EXPECT kvttl
		}},
	})
	return code, err
}

// ClaimPairing is called by the desktop app with the code the user typed.
func (p *Portal) ClaimPairing(ctx context.Context, code string) (string, error) {
	k := keys.Static("pairing/" + code)
	id, err := p.pairing.Get(ctx, k)
	if errors.Is(err, kvstore.ErrNotFound) {
		return "", ErrInvalidToken
	}
	if err != nil {
		return "", err
	}
	if err := p.pairing.Delete(ctx, k); err != nil { // EXPECT kvsession
		return "", err
	}
	return p.IssueRefresh(ctx, string(id))
}
