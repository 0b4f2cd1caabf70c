// Package organiser manages organiser logins: magic links sent by e-mail,
// the sessions they open, and the bearer tokens the dashboard sends.
package organiser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/boxoffice/oystercatcher/internal/kvstore"
	"github.com/boxoffice/oystercatcher/internal/ticketing"
)

// ErrNoSession is returned for unknown, expired or malformed tokens.
var ErrNoSession = errors.New("organiser: no such session")

// Sessions keeps organiser sessions in their own KV namespace.
type Sessions struct {
	kv       *kvstore.Store
	ttl      time.Duration
	magicTTL time.Duration
}

func NewSessions(store *kvstore.Store, ttl, magicTTL time.Duration) *Sessions {
	return &Sessions{kv: store, ttl: ttl, magicTTL: magicTTL}
}

// Token is what the dashboard stores: "<org>.<session id>".
func Token(s *ticketing.OrganiserSession) string { return s.OrgID + "." + s.ID }

func parseToken(tok string) (orgID, id string, ok bool) {
	orgID, id, ok = strings.Cut(tok, ".")
	return orgID, id, ok && orgID != "" && len(id) >= 32
}

// Create opens a new session for a user who has just proved their e-mail.
func (s *Sessions) Create(ctx context.Context, orgID, userID, email string) (*ticketing.OrganiserSession, error) {
	now := time.Now().UTC()
	sess := &ticketing.OrganiserSession{
		ID:        ticketing.NewID(32),
		OrgID:     orgID,
		UserID:    userID,
		Email:     email,
		CreatedAt: now,
		LastSeen:  now,
		ExpiresAt: now.Add(s.ttl),
	}
	buf, err := json.Marshal(sess)
	if err != nil {
		return nil, err
	}
	if err := s.kv.Put(ctx, ticketing.SessionKey(orgID, sess.ID), buf, s.ttl); err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	return sess, nil
}

// Load returns the session a bearer token names.
func (s *Sessions) Load(ctx context.Context, token string) (*ticketing.OrganiserSession, error) {
	orgID, id, ok := parseToken(token)
	if !ok {
		return nil, ErrNoSession
	}
	raw, err := s.kv.Get(ctx, ticketing.SessionKey(orgID, id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	var sess ticketing.OrganiserSession
	if err := json.Unmarshal(raw, &sess); err != nil {
		return nil, fmt.Errorf("decode session %s: %w", id, err)
	}
	return &sess, nil
}

// Touch slides the session's expiry forward after an authenticated request.
func (s *Sessions) Touch(ctx context.Context, sess *ticketing.OrganiserSession) error {
	now := time.Now().UTC()
	sess.LastSeen = now
	sess.ExpiresAt = now.Add(s.ttl)
	buf, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	return s.kv.Put(ctx, ticketing.SessionKey(sess.OrgID, sess.ID), buf, s.ttl) // EXPECT kvsession|kvrace
}

// Revoke ends one session (logout).
func (s *Sessions) Revoke(ctx context.Context, sess *ticketing.OrganiserSession) error {
	return s.kv.Delete(ctx, ticketing.SessionKey(sess.OrgID, sess.ID)) // EXPECT kvsession
}

// RevokeAll ends every session of an organisation, after a password or
// membership change.
func (s *Sessions) RevokeAll(ctx context.Context, orgID string) (int, error) {
	page, err := s.kv.ListPage(ctx, ticketing.SessionPrefix(orgID), "", 1000) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range page.Keys {
		if err := s.kv.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
			slog.WarnContext(ctx, "revoke session", "key", k.Name, "err", err)
			continue
		}
		n++
	}
	return n, nil
}

type magicLink struct {
	OrgID  string    `json:"org_id"`
	UserID string    `json:"user_id"`
	Email  string    `json:"email"`
	Issued time.Time `json:"issued"`
}

// IssueMagicLink stores a single-use login code and returns it for the mailer.
func (s *Sessions) IssueMagicLink(ctx context.Context, orgID, userID, email string) (string, error) {
	code := ticketing.NewID(24)
	buf, _ := json.Marshal(magicLink{OrgID: orgID, UserID: userID, Email: email, Issued: time.Now().UTC()})
	if err := s.kv.Put(ctx, ticketing.MagicLinkKey(code), buf, s.magicTTL); err != nil {
		return "", err
	}
	return code, nil
}

// RedeemMagicLink exchanges a code from an e-mail for a session.
func (s *Sessions) RedeemMagicLink(ctx context.Context, code string) (*ticketing.OrganiserSession, error) {
	key := ticketing.MagicLinkKey(code)
	raw, err := s.kv.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	var ml magicLink
	if err := json.Unmarshal(raw, &ml); err != nil {
		return nil, err
	}
	if err := s.kv.Delete(ctx, key); err != nil { // EXPECT kvsession
		return nil, fmt.Errorf("consume magic link: %w", err)
	}
	return s.Create(ctx, ml.OrgID, ml.UserID, ml.Email)
}
