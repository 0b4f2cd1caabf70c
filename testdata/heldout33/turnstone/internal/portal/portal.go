// Package portal implements customer-portal sign-in: magic links, sessions
// and API-token revocation. Session records live in the "portal" KV
// namespace so that the edge Worker can authenticate portal page views
// without a round trip to the origin.
package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	cfv6 "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"github.com/ledgerline/turnstone/internal/config"
	"github.com/ledgerline/turnstone/internal/kvstore"
	"github.com/ledgerline/turnstone/internal/randid"
)

const (
	magicPrefix   = "magic:"
	sessPrefix    = "sess:"
	sessIdxPrefix = "sessidx:"
	noncePrefix   = "nonce:"
	noticePrefix  = "notice:"
	revokedKey    = "revoked:api-tokens"
)

var (
	// ErrLinkInvalid is returned for unknown, used or expired magic links.
	ErrLinkInvalid = errors.New("portal: magic link invalid or expired")
	// ErrTooManyAttempts is returned when an address asked for too many links.
	ErrTooManyAttempts = errors.New("portal: too many sign-in attempts")
	// ErrNoSession is returned when a request carries no valid session.
	ErrNoSession = errors.New("portal: no session")
)

// MagicLink is the record behind a sign-in e-mail.
type MagicLink struct {
	Email     string    `json:"email"`
	TenantID  string    `json:"tenant_id"`
	CreatedAt time.Time `json:"created_at"`
}

// Session is a signed-in portal user, as the edge Worker reads it.
type Session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	TenantID  string    `json:"tenant_id"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Mailer sends sign-in e-mails.
type Mailer interface {
	SendMagicLink(ctx context.Context, to, url string) error
}

// Service is the portal's sign-in service.
type Service struct {
	kv        kvstore.KV
	store     *kvstore.Store
	client    *cfv6.Client
	accountID string
	nsID      string
	db        *sql.DB
	mail      Mailer
	cfg       *config.Config
	log       *slog.Logger
}

// New builds the service. Writes go through the audited view of the store.
func New(client *cfv6.Client, cfg *config.Config, db *sql.DB, mail Mailer, log *slog.Logger) *Service {
	acct, ns := cfg.Cloudflare.AccountID, cfg.Cloudflare.Namespaces.Portal
	store := kvstore.NewStore(client, acct, ns)
	return &Service{
		kv: kvstore.Audited(store, log), store: store, client: client, accountID: acct, nsID: ns,
		db: db, mail: mail, cfg: cfg, log: log.With("component", "portal"),
	}
}

// StartLogin e-mails a magic link to email if it belongs to a portal user.
func (s *Service) StartLogin(ctx context.Context, tenantID, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	n, err := s.store.Incr(ctx, "attempts:login:"+email, 1, 15*time.Minute)
	if err != nil {
		return err
	}
	if n > int64(s.cfg.Limits.LoginAttempts) {
		return ErrTooManyAttempts
	}
	var exists bool
	if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM portal_users WHERE tenant_id = $1 AND email = $2)`,
		tenantID, email).Scan(&exists); err != nil || !exists {
		return err // unknown addresses get no mail and no error
	}
	tok := randid.Token("ml_")
	rec := MagicLink{Email: email, TenantID: tenantID, CreatedAt: time.Now().UTC()}
	if err := s.kv.Put(ctx, magicPrefix+tok, rec, s.cfg.TTL.MagicLink.Duration); err != nil {
		return err
	}
	return s.mail.SendMagicLink(ctx, email, s.cfg.PublicURL+"/portal/magic/"+tok)
}

// IssueNonce returns a nonce for the sign-in form; the form is valid for
// half a minute.
func (s *Service) IssueNonce(ctx context.Context) (string, error) {
	n := randid.New("", 16)
	return n, s.store.Put(ctx, noncePrefix+n, "1", 30*time.Second)
}

// ConsumeMagicLink exchanges a magic link for a new session.
func (s *Service) ConsumeMagicLink(ctx context.Context, tok string) (Session, error) {
	var rec MagicLink
	if err := kvstore.GetInto(ctx, s.kv, magicPrefix+tok, &rec); err != nil {
		if kvstore.IsNotFound(err) {
			return Session{}, ErrLinkInvalid
		}
		return Session{}, err
	}
	if err := s.kv.Delete(ctx, magicPrefix+tok); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	var userID string
	if err := s.db.QueryRowContext(ctx, `SELECT id FROM portal_users WHERE tenant_id = $1 AND email = $2`,
		rec.TenantID, rec.Email).Scan(&userID); err != nil {
		return Session{}, fmt.Errorf("resolve user: %w", err)
	}
	return s.CreateSession(ctx, userID, rec.TenantID, rec.Email)
}

// CreateSession stores a new session under a fresh random ID, plus an index
// entry so that all sessions of a user can be found on password change.
func (s *Service) CreateSession(ctx context.Context, userID, tenantID, email string) (Session, error) {
	now, ttl := time.Now().UTC(), s.cfg.TTL.Session.Duration
	sess := Session{ID: randid.Token("ps_"), UserID: userID, TenantID: tenantID, Email: email, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(ttl)}
	if err := s.kv.Put(ctx, sessPrefix+sess.ID, sess, ttl); err != nil {
		return Session{}, err
	}
	meta := map[string]any{"created_at": now.Unix()}
	if err := s.store.PutWithMetadata(ctx, sessIdxPrefix+userID+":"+sess.ID, "", ttl, meta); err != nil {
		s.log.Warn("index session", "user", userID, "err", err)
	}
	return sess, nil
}

// Authenticate resolves the session of a portal request and extends its
// expiry, so that active users stay signed in.
func (s *Service) Authenticate(ctx context.Context, sid string) (Session, error) {
	var sess Session
	if err := kvstore.GetInto(ctx, s.kv, sessPrefix+sid, &sess); err != nil {
		if kvstore.IsNotFound(err) {
			return Session{}, ErrNoSession
		}
		return Session{}, err
	}
	now, ttl := time.Now().UTC(), s.cfg.TTL.Session.Duration
	if now.After(sess.ExpiresAt) {
		return Session{}, ErrNoSession
	}
	sess.LastSeen, sess.ExpiresAt = now, now.Add(ttl)
	if err := s.kv.Put(ctx, sessPrefix+sid, sess, ttl); err != nil { // EXPECT kvsession
		s.log.Warn("extend session", "err", err)
	}
	return sess, nil
}

// Logout ends one session.
func (s *Service) Logout(ctx context.Context, sid string) error {
	return s.kv.Delete(ctx, sessPrefix+sid) // EXPECT kvsession
}

// RevokeAllSessions ends every session of a user, e.g. after a password
// change or when an administrator removes the user.
func (s *Service) RevokeAllSessions(ctx context.Context, userID string) (int, error) {
	prefix := sessIdxPrefix + userID + ":"
	var ids []string
	cursor := ""
	for {
		page, err := s.kv.List(ctx, kvstore.ListOptions{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range page.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, prefix))
		}
		if page.Complete() {
			break
		}
		cursor = page.Cursor
	}

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		done int
		sem  = make(chan struct{}, max(1, s.cfg.Limits.FanOut))
	)
	for _, sid := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			err := s.kv.Delete(ctx, sessPrefix+sid) // EXPECT kvsession
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("session %s: %w", sid, err))
				return
			}
			done++
		}()
	}
	wg.Wait()
	return done, errors.Join(errs...)
}

// RevokeAPIToken adds a token ID to the revocation list the edge Worker
// consults before accepting portal API calls.
func (s *Service) RevokeAPIToken(ctx context.Context, jti string) error {
	var revoked []string
	if err := kvstore.GetInto(ctx, s.kv, revokedKey, &revoked); err != nil && !kvstore.IsNotFound(err) {
		return err
	}
	revoked = append(revoked, jti)
	return s.kv.Put(ctx, revokedKey, revoked, 0) // EXPECT kvsession
}

// AddBillingContact adds an address to the comma-separated list of billing
// contacts of a tenant, which the edge shows on invoice pages.
func (s *Service) AddBillingContact(ctx context.Context, tenantID, email string) error {
	key := "billing-contacts:" + tenantID
	var list string
	if err := kvstore.GetInto(ctx, s.kv, key, &list); err != nil && !kvstore.IsNotFound(err) {
		return err
	}
	if list != "" {
		list += ","
	}
	return s.kv.Put(ctx, key, list+email, 0) // EXPECT kvrace
}

// Branding returns the tenant's portal theme, cached at the edge.
func (s *Service) Branding(ctx context.Context, tenantID string) ([]byte, error) {
	return s.store.GetOrLoad(ctx, "branding:"+tenantID, s.cfg.TTL.Branding.Duration, func(ctx context.Context) (any, error) {
		theme := []byte(`{}`)
		err := s.db.QueryRowContext(ctx, `SELECT theme_json FROM tenant_branding WHERE tenant_id = $1`, tenantID).Scan(&theme)
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
		return theme, err
	})
}

// Notice returns the banner text shown at the top of the tenant's portal,
// or "" when there is none.
func (s *Service) Notice(ctx context.Context, tenantID string) (string, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.nsID, noticePrefix+tenantID, kv.NamespaceValueGetParams{AccountID: cfv6.F(s.accountID)}) // EXPECT kvnull
	if err != nil && !kvstore.IsNotFound(err) {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	return strings.TrimSpace(string(b)), err
}

// SetNotice publishes or clears a tenant's banner.
func (s *Service) SetNotice(ctx context.Context, tenantID, text string) error {
	if text == "" {
		return s.kv.Delete(ctx, noticePrefix+tenantID)
	}
	return s.kv.Put(ctx, noticePrefix+tenantID, text, 0)
}
