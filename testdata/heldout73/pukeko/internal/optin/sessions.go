package optin

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

	"pukeko/internal/keys"
	"pukeko/internal/kvstore"
)

// AdminSession is a signed-in dashboard user.
type AdminSession struct {
	ID        string    `json:"-"`
	Account   string    `json:"account"`
	Email     string    `json:"email"`
	Created   time.Time `json:"created"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Sessions stores dashboard sessions, magic sign-in links and API-token
// revocations.
type Sessions struct {
	KV       *kvstore.Namespace
	Lifetime time.Duration
}

const magicLinkTTL = 15 * time.Minute

// Start creates a session for a user who has just proved who they are.
func (s *Sessions) Start(ctx context.Context, account, email string) (*AdminSession, error) {
	now := time.Now().UTC()
	sess := &AdminSession{ID: rand.Text(), Account: account, Email: email, Created: now, ExpiresAt: now.Add(s.Lifetime)}
	err := s.KV.PutJSON(ctx, keys.String(keys.Session{ID: sess.ID}), sess, &kvstore.WriteOptions{
		ExpireAt: new(sess.ExpiresAt),
	})
	return sess, err
}

// Load returns the session with id, or nil when it does not exist.
func (s *Sessions) Load(ctx context.Context, id string) (*AdminSession, error) {
	var sess AdminSession
	if err := s.KV.GetJSON(ctx, keys.String(keys.Session{ID: id}), &sess); err != nil {
		if kvstore.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	sess.ID = id
	return &sess, nil
}

// Touch records activity and slides the expiry forward.
func (s *Sessions) Touch(ctx context.Context, sess *AdminSession) error {
	now := time.Now().UTC()
	sess.LastSeen = now
	sess.ExpiresAt = now.Add(s.Lifetime)
	return s.KV.PutJSON(ctx, keys.String(keys.Session{ID: sess.ID}), sess, &kvstore.WriteOptions{ExpireAt: new(sess.ExpiresAt)}) // EXPECT kvsession
}

// End signs the user out.
func (s *Sessions) End(ctx context.Context, id string) error {
	return s.KV.Delete(ctx, keys.String(keys.Session{ID: id})) // EXPECT kvsession
}

// IssueMagicLink mints a one-time sign-in code.
func (s *Sessions) IssueMagicLink(ctx context.Context, account, email string) (string, error) {
	code := rand.Text()
	return code, s.KV.PutJSON(ctx, "magic:"+code, map[string]string{"account": account, "email": email},
		&kvstore.WriteOptions{TTL: new(magicLinkTTL)})
}

// RedeemMagicLink consumes a sign-in code and starts a session.
func (s *Sessions) RedeemMagicLink(ctx context.Context, code string) (*AdminSession, error) {
	var who map[string]string
	if err := s.KV.GetJSON(ctx, "magic:"+code, &who); err != nil {
		if kvstore.IsNotFound(err) {
			return nil, errors.New("optin: sign-in link expired")
		}
		return nil, err
	}
	if err := s.KV.Delete(ctx, "magic:"+code); err != nil { // EXPECT kvsession
		return nil, err
	}
	return s.Start(ctx, who["account"], who["email"])
}

// RevokeAPIToken blocks an API token by its ID until it would have expired.
func (s *Sessions) RevokeAPIToken(ctx context.Context, jti string, exp time.Time) error {
	if time.Until(exp) < time.Minute {
		exp = time.Now().Add(time.Minute)
	}
	return s.KV.Put(ctx, "revoked:"+jti, []byte("1"), &kvstore.WriteOptions{ExpireAt: &exp}) // EXPECT kvsession
}
