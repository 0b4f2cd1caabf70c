// Package accounts holds shop-owner accounts, their sessions and password
// resets.
package accounts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"bullfinch/internal/kv"
)

const (
	sessionTTL      = 14 * 24 * time.Hour
	failureWindow   = 15 * time.Minute
	maxFailures     = 8
	sessionPageSize = 200
	sessionMaxPages = 10
)

var (
	ErrLocked       = errors.New("accounts: too many failed logins")
	ErrEmailTaken   = errors.New("accounts: email already registered")
	ErrNoSession    = errors.New("accounts: no such session")
	ErrResetExpired = errors.New("accounts: reset link expired or used")
)

// Owner is a shop owner's account record.
type Owner struct {
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	PasswordHash []byte    `json:"pw"`
	ShopID       string    `json:"shop_id"`
	Theme        string    `json:"theme,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// Session is a signed-in owner's session.
type Session struct {
	ID       string    `json:"id"`
	OwnerID  string    `json:"owner_id"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
	UA       string    `json:"ua,omitempty"`
}

// Service is the accounts service.
type Service struct {
	ns *kv.Namespace
}

// NewService returns the accounts service on ns.
func NewService(ns *kv.Namespace) *Service { return &Service{ns: ns} }

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func ownerKey(id string) string              { return "owner:" + id }
func emailKey(email string) string           { return "owner-email:" + strings.ToLower(email) }
func sessionKey(id string) string            { return "sess:" + id }
func userSessionKey(owner, id string) string { return "sess-by-owner:" + owner + ":" + id }
func attemptsKey(email string) string        { return "login-attempts:" + strings.ToLower(email) }
func resetKey(tok string) string             { return "pwreset:" + tok }

// Register creates an owner account for email.
func (s *Service) Register(ctx context.Context, email string, hash []byte, shopID string) (Owner, error) {
	if _, err := s.ns.Get(ctx, emailKey(email)); err == nil {
		return Owner{}, ErrEmailTaken
	} else if !errors.Is(err, kv.ErrNotFound) {
		return Owner{}, err
	}
	o := Owner{ID: randomID(12), Email: email, PasswordHash: hash, ShopID: shopID, CreatedAt: time.Now().UTC()}
	b, _ := json.Marshal(o)
	if err := s.ns.Put(ctx, ownerKey(o.ID), b); err != nil {
		return Owner{}, err
	}
	return o, s.ns.Put(ctx, emailKey(email), []byte(o.ID)) // EXPECT kvrace
}

// ByEmail resolves an owner by email address.
func (s *Service) ByEmail(ctx context.Context, email string) (Owner, error) {
	id, err := s.ns.Get(ctx, emailKey(email))
	if err != nil {
		return Owner{}, err
	}
	raw, err := s.ns.Get(ctx, ownerKey(string(id)))
	if err != nil {
		return Owner{}, err
	}
	var o Owner
	return o, json.Unmarshal(raw, &o)
}

// CheckLocked reports whether email has too many recent failed logins.
func (s *Service) CheckLocked(ctx context.Context, email string) error {
	raw, _ := s.ns.Get(ctx, attemptsKey(email))
	if len(raw) > 0 { // EXPECT kvnull
		if n, _ := strconv.Atoi(string(raw)); n >= maxFailures {
			return ErrLocked
		}
	}
	return nil
}

// RecordFailure counts a failed login for email.
func (s *Service) RecordFailure(ctx context.Context, email string) error {
	n := 0
	if raw, err := s.ns.Get(ctx, attemptsKey(email)); err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kv.ErrNotFound) {
		return err
	}
	return s.ns.PutTTL(ctx, attemptsKey(email), []byte(strconv.Itoa(n+1)), failureWindow) // EXPECT kvcounter|kvrace
}

// StartSession creates a new session for owner.
func (s *Service) StartSession(ctx context.Context, owner Owner, ua string) (Session, error) {
	now := time.Now().UTC()
	sess := Session{ID: randomID(32), OwnerID: owner.ID, Created: now, LastSeen: now, UA: ua}
	b, _ := json.Marshal(sess)
	if err := s.ns.PutTTL(ctx, sessionKey(sess.ID), b, sessionTTL); err != nil {
		return Session{}, err
	}
	return sess, s.ns.PutMeta(ctx, userSessionKey(owner.ID, sess.ID), nil, map[string]string{"ua": ua}, sessionTTL)
}

// Session loads a session by ID.
func (s *Service) Session(ctx context.Context, id string) (Session, error) {
	raw, err := s.ns.Get(ctx, sessionKey(id))
	if errors.Is(err, kv.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	var sess Session
	return sess, json.Unmarshal(raw, &sess)
}

// Touch extends a session that is still in use.
func (s *Service) Touch(ctx context.Context, id string) (Session, error) {
	sess, err := s.Session(ctx, id)
	if err != nil {
		return Session{}, err
	}
	sess.LastSeen = time.Now().UTC()
	b, _ := json.Marshal(sess)
	return sess, s.ns.PutTTL(ctx, sessionKey(id), b, sessionTTL) // EXPECT kvsession
}

// Logout ends one session.
func (s *Service) Logout(ctx context.Context, sess Session) error {
	if err := s.ns.Delete(ctx, sessionKey(sess.ID)); err != nil { // EXPECT kvsession
		return err
	}
	return s.ns.Delete(ctx, userSessionKey(sess.OwnerID, sess.ID))
}

// SessionsFor lists up to sessionMaxPages pages of the owner's sessions.
// The listing carries the user agent in metadata, so no value is fetched.
func (s *Service) SessionsFor(ctx context.Context, ownerID string) ([]cloudflare.StorageKey, error) {
	var out []cloudflare.StorageKey
	cursor := ""
	for range sessionMaxPages {
		p, err := s.ns.ListPage(ctx, "sess-by-owner:"+ownerID+":", cursor, sessionPageSize)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Keys...)
		if p.Cursor == "" {
			break
		}
		cursor = p.Cursor
	}
	return out, nil
}

// ChangePassword stores the new hash and signs out every other session.
func (s *Service) ChangePassword(ctx context.Context, o Owner, newHash []byte, keep string) error {
	o.PasswordHash = newHash
	b, _ := json.Marshal(o)
	if err := s.ns.Put(ctx, ownerKey(o.ID), b); err != nil {
		return err
	}
	keys, err := s.SessionsFor(ctx, o.ID)
	if err != nil {
		return err
	}
	var errs []error
	for _, k := range keys {
		id := k.Name[strings.LastIndexByte(k.Name, ':')+1:]
		if id == keep {
			continue
		}
		errs = append(errs, s.ns.Delete(ctx, sessionKey(id))) // EXPECT kvsession
	}
	return errors.Join(errs...)
}

// IssueReset creates a password-reset link valid until the end of the day
// in the owner's time zone.
func (s *Service) IssueReset(ctx context.Context, o Owner, loc *time.Location) (string, error) {
	tok := randomID(24)
	now := time.Now().In(loc)
	endOfDay := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, loc)
	return tok, s.ns.PutTTL(ctx, resetKey(tok), []byte(o.ID), time.Until(endOfDay)) // EXPECT kvttl
}

// RedeemReset consumes a reset link and returns the owner ID it was for.
func (s *Service) RedeemReset(ctx context.Context, tok string) (string, error) {
	id, err := s.ns.Get(ctx, resetKey(tok))
	if errors.Is(err, kv.ErrNotFound) {
		return "", ErrResetExpired
	}
	if err != nil {
		return "", err
	}
	if err := s.ns.Delete(ctx, resetKey(tok)); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(id), nil
}

// EnsureTheme gives a new owner the default storefront theme.
func (s *Service) EnsureTheme(ctx context.Context, ownerID, theme string) error {
	if _, err := s.ns.Get(ctx, "theme:"+ownerID); err != nil { // EXPECT kvnull|kvrace
		return s.ns.Put(ctx, "theme:"+ownerID, []byte(theme))
	}
	return nil
}

// PurgeShop removes every key a closed shop left behind.
func (s *Service) PurgeShop(ctx context.Context, shopID string) (int, error) {
	api, rc := s.ns.API()
	params := cloudflare.ListWorkersKVsParams{NamespaceID: s.ns.ID(), Prefix: "shop:" + shopID + ":", Limit: 1000}
	deleted := 0
	for page := 0; page < 50; page++ {
		resp, err := api.ListWorkersKVKeys(ctx, rc, params) // EXPECT kvlist
		if err != nil {
			return deleted, err
		}
		keys := make([]string, 0, len(resp.Result))
		for _, k := range resp.Result {
			keys = append(keys, k.Name)
		}
		if err := s.ns.DeleteMany(ctx, keys); err != nil {
			return deleted, fmt.Errorf("purge %s: %w", shopID, err)
		}
		deleted += len(keys)
		if resp.Cursor == "" {
			break
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: s.ns.ID(), Cursor: resp.Cursor, Limit: 1000}
	}
	return deleted, nil
}
