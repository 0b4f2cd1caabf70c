package authorlogin

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/quill/internal/config"
	"example.com/quill/internal/keys"
	"example.com/quill/internal/storage"
)

// ErrNoSession is returned for a missing, expired or revoked session.
var ErrNoSession = errors.New("authorlogin: not signed in")

// Session is an editor session.
type Session struct {
	ID       string    `json:"id"`
	Author   string    `json:"author"`
	Email    string    `json:"email"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Cookie returns the cookie value that identifies s.
func (s Session) Cookie() string    { return s.Author + "." + s.ID }
func (s Session) key() keys.Session { return keys.Session{Author: s.Author, ID: s.ID} }

// Sessions stores editor sessions.
type Sessions struct{ b *storage.Bucket }

// NewSessions returns a session store on rw.
func NewSessions(rw storage.ReadWriter) *Sessions {
	return &Sessions{b: storage.NewBucket(rw)}
}

func sessionTTL() time.Duration {
	return max(config.Current().SessionTTL, 15*time.Minute)
}

// Create starts a session for a signed-in author.
func (s *Sessions) Create(ctx context.Context, id Identity) (Session, error) {
	sess := Session{
		ID: rand.Text(), Author: keys.EmailHash(id.Email), Email: id.Email, Name: id.Name,
		Created: now().UTC(), LastSeen: now().UTC(),
	}
	if err := s.b.Write(sess.key()).JSON(sess).TTL(sessionTTL()).Do(ctx); err != nil {
		return Session{}, fmt.Errorf("authorlogin: create session: %w", err)
	}
	return sess, nil
}

// Lookup resolves a cookie value to a session.
func (s *Sessions) Lookup(ctx context.Context, cookie string) (Session, error) {
	author, sid, ok := strings.Cut(cookie, ".")
	if !ok || author == "" || sid == "" {
		return Session{}, ErrNoSession
	}
	k := keys.Session{Author: author, ID: sid}
	sess, err := storage.GetJSON[Session](ctx, s.b, k.String())
	if errors.Is(err, storage.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	raw, err := s.b.Get(ctx, keys.Revoked(author))
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return Session{}, err
	default:
		cutoff, perr := time.Parse(time.RFC3339Nano, string(raw))
		if perr == nil && !sess.Created.After(cutoff) {
			return Session{}, ErrNoSession
		}
	}
	return sess, nil
}

// Touch records activity on a session and slides its expiry forward.
func (s *Sessions) Touch(ctx context.Context, sess Session) error {
	sess.LastSeen = now().UTC()
	return s.b.Write(sess.key()).JSON(sess).TTL(sessionTTL()).Do(ctx) // EXPECT kvsession
}

// Logout ends one session.
func (s *Sessions) Logout(ctx context.Context, sess Session) error {
	return s.b.Delete(ctx, sess.key().String()) // EXPECT kvsession
}

// RevokeAll signs the author out everywhere.
func (s *Sessions) RevokeAll(ctx context.Context, author string) error {
	stamp := now().UTC().Format(time.RFC3339Nano)
	return s.b.Write(keys.Revoked(author)).Value([]byte(stamp)).TTL(sessionTTL()).Do(ctx) // EXPECT kvsession
}
