// Package prefs implements the recipient-facing side of the platform:
// one-click unsubscribe tokens, the preference center's magic-link login
// and session, and per-recipient topic preferences.
package prefs

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/postmarkly/kaka/internal/kvstore"
)

// ErrExpired is returned for unknown or expired tokens.
var ErrExpired = errors.New("prefs: link expired")

// Center is the preference center backend.
type Center struct {
	Tokens   *kvstore.Namespace // unsubscribe tokens, magic links, sessions
	Profiles *kvstore.Namespace // recipient preferences
}

// UnsubToken is what an unsubscribe link resolves to.
type UnsubToken struct {
	Recipient string    `json:"recipient"`
	ListID    string    `json:"list_id"`
	AccountID string    `json:"account_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// IssueUnsubscribeToken mints the token embedded in a List-Unsubscribe header.
func (c *Center) IssueUnsubscribeToken(ctx context.Context, t UnsubToken) (string, error) {
	id := rand.Text()
	t.ExpiresAt = time.Now().Add(60 * 24 * time.Hour)
	body, _ := json.Marshal(t)
	return id, c.Tokens.PutTTL(ctx, "unsub:"+id, body, 60*24*time.Hour)
}

// RedeemUnsubscribe applies a one-click unsubscribe.
func (c *Center) RedeemUnsubscribe(ctx context.Context, id string, apply func(UnsubToken) error) error {
	raw, err := c.Tokens.Get(ctx, "unsub:"+id)
	if kvstore.IsNotFound(err) {
		return ErrExpired
	}
	if err != nil {
		return err
	}
	var t UnsubToken
	if err := json.Unmarshal(raw, &t); err != nil {
		return err
	}
	if err := apply(t); err != nil {
		return err
	}
	return c.Tokens.Delete(ctx, "unsub:"+id) // EXPECT kvsession
}

// magicLink is the payload behind a preference-center login link.
type magicLink struct {
	Recipient string    `json:"recipient"`
	Expires   time.Time `json:"expires"`
}

// SendMagicLink creates a login link valid for 15 minutes.
func (c *Center) SendMagicLink(ctx context.Context, recipient string) (string, error) {
	code := rand.Text()
	body, _ := json.Marshal(magicLink{Recipient: recipient, Expires: time.Now().Add(15 * time.Minute)})
	return code, c.Tokens.PutTTL(ctx, "magic:"+code, body, 15*time.Minute)
}

// Session is a preference-center login.
type Session struct {
	ID        string    `json:"-"`
	Recipient string    `json:"recipient"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
}

const sessionLifetime = 2 * time.Hour

// ConsumeMagicLink exchanges a login code for a session.
func (c *Center) ConsumeMagicLink(ctx context.Context, code string) (*Session, error) {
	raw, err := c.Tokens.Get(ctx, "magic:"+code)
	if kvstore.IsNotFound(err) {
		return nil, ErrExpired
	}
	if err != nil {
		return nil, err
	}
	var ml magicLink
	if err := json.Unmarshal(raw, &ml); err != nil {
		return nil, err
	}
	if err := c.Tokens.Delete(ctx, "magic:"+code); err != nil { // EXPECT kvsession
		return nil, err
	}
	s := &Session{ID: rand.Text(), Recipient: ml.Recipient, Created: time.Now().UTC()}
	s.Expires = s.Created.Add(sessionLifetime)
	body, _ := json.Marshal(s)
	return s, c.Tokens.PutTTL(ctx, "sess:"+s.ID, body, sessionLifetime)
}

// LoadSession reads a session and slides its expiry forward.
func (c *Center) LoadSession(ctx context.Context, id string) (*Session, error) {
	raw, err := c.Tokens.Get(ctx, "sess:"+id)
	if kvstore.IsNotFound(err) {
		return nil, ErrExpired
	}
	if err != nil {
		return nil, err
	}
	var s Session
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	s.ID = id
	s.Expires = time.Now().Add(sessionLifetime)
	body, _ := json.Marshal(s)
	if err := c.Tokens.PutTTL(ctx, "sess:"+id, body, sessionLifetime); err != nil { // EXPECT kvsession
		return nil, err
	}
	return &s, nil
}

// Logout ends a session.
func (c *Center) Logout(ctx context.Context, id string) error {
	return c.Tokens.Delete(ctx, "sess:"+id) // EXPECT kvsession
}

// RevokeAll invalidates every outstanding link for a recipient, used when
// an address changes hands (recycled mailbox reports).
func (c *Center) RevokeAll(ctx context.Context, recipient string) error {
	stamp := time.Now().UTC().Format(time.RFC3339)
	return c.Tokens.Put(ctx, "revoked-before:"+recipient, []byte(stamp)) // EXPECT kvsession
}

// Preferences are a recipient's topic opt-ins.
type Preferences struct {
	Recipient string    `json:"recipient"`
	OptedOut  []string  `json:"opted_out"`
	Digest    string    `json:"digest"`
	Updated   time.Time `json:"updated"`
}

func (c *Center) loadPrefs(ctx context.Context, recipient string) (Preferences, error) {
	p := Preferences{Recipient: recipient, Digest: "daily"}
	raw, err := c.Profiles.Get(ctx, "prefs:"+recipient)
	if kvstore.IsNotFound(err) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	return p, json.Unmarshal(raw, &p)
}

func (c *Center) savePrefs(ctx context.Context, p Preferences) error {
	p.Updated = time.Now().UTC()
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return c.Profiles.Put(ctx, "prefs:"+p.Recipient, body)
}

// OptOut removes a recipient from one topic.
func (c *Center) OptOut(ctx context.Context, recipient, topic string) error {
	p, err := c.loadPrefs(ctx, recipient)
	if err != nil {
		return err
	}
	if !slices.Contains(p.OptedOut, topic) {
		p.OptedOut = append(p.OptedOut, topic)
	}
	return c.savePrefs(ctx, p) // EXPECT kvrace
}

// SetDigest changes how often digests are sent.
func (c *Center) SetDigest(ctx context.Context, recipient, freq string) error {
	p, err := c.loadPrefs(ctx, recipient)
	if err != nil {
		return err
	}
	p.Digest = freq
	return c.savePrefs(ctx, p) // EXPECT kvrace
}

// ReplacePreferences overwrites preferences from the full form submission.
func (c *Center) ReplacePreferences(ctx context.Context, p Preferences) error {
	return c.savePrefs(ctx, p)
}
