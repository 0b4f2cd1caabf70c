// Package sessions keeps signed-in browser sessions in their own KV
// namespace and provides the HTTP middleware that resolves them.
package sessions

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/vireo/internal/domain"
)

// CookieName is the session cookie.
const CookieName = "vireo_session"

// rememberDeviceFor is how long a citizen can skip the second factor on a
// device they marked as their own.
const rememberDeviceFor = 30 * 24 * time.Hour

// Store reads and writes sessions.
type Store struct {
	KV        *kv.NamespaceService
	AccountID string
	Namespace string
	TTL       time.Duration
	Sliding   bool
	Clock     func() time.Time
}

func sessionKey(id string) string { return path.Join("session", id) }

func deviceKey(citizenID, deviceID string) string {
	return path.Join("trusted-device", citizenID, deviceID)
}

func (s *Store) ttl() time.Duration { return cmp.Or(s.TTL, 12*time.Hour) }

func (s *Store) put(ctx context.Context, key string, v any, params kv.NamespaceValueUpdateParams) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	params.AccountID = cloudflare.F(s.AccountID)
	params.Value = cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(raw))
	_, err = s.KV.Values.Update(ctx, s.Namespace, key, params)
	return err
}

// Create mints a session for a citizen who has just proved who they are.
func (s *Store) Create(ctx context.Context, citizenID, userAgent string) (domain.Session, error) {
	now := s.Clock().UTC()
	sess := domain.Session{
		ID:        rand.Text(),
		CitizenID: citizenID,
		CreatedAt: now,
		LastSeen:  now,
		ExpiresAt: now.Add(s.ttl()),
		UserAgent: userAgent,
	}
	err := s.put(ctx, sessionKey(sess.ID), sess, kv.NamespaceValueUpdateParams{
		ExpirationTTL: cloudflare.F(s.ttl().Seconds()),
	})
	return sess, err
}

// Lookup resolves a session ID.
func (s *Store) Lookup(ctx context.Context, id string) (domain.Session, error) {
	var sess domain.Session
	res, err := s.KV.Values.Get(ctx, s.Namespace, sessionKey(id), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.AccountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return sess, fmt.Errorf("session: %w", domain.ErrNotFound)
		}
		return sess, err
	}
	defer res.Body.Close()
	if err := json.NewDecoder(io.LimitReader(res.Body, 16<<10)).Decode(&sess); err != nil {
		return sess, err
	}
	if !s.Clock().Before(sess.ExpiresAt) {
		return sess, fmt.Errorf("session: %w", domain.ErrExpired)
	}
	return sess, nil
}

// Touch extends a session from the current request.
func (s *Store) Touch(ctx context.Context, sess domain.Session) (domain.Session, error) {
	now := s.Clock().UTC()
	sess.LastSeen = now
	sess.ExpiresAt = now.Add(s.ttl())
	err := s.put(ctx, sessionKey(sess.ID), sess, kv.NamespaceValueUpdateParams{ // EXPECT kvsession
		ExpirationTTL: cloudflare.F(s.ttl().Seconds()),
	})
	return sess, err
}

// Refresh extends a session only once less than half of its lifetime remains.
func (s *Store) Refresh(ctx context.Context, sess domain.Session) (domain.Session, error) {
	now := s.Clock().UTC()
	if sess.ExpiresAt.Sub(now) > s.ttl()/2 {
		return sess, nil
	}
	sess.LastSeen = now
	sess.ExpiresAt = now.Add(s.ttl())
	err := s.put(ctx, sessionKey(sess.ID), sess, kv.NamespaceValueUpdateParams{ // DEBATABLE kvsession
		Expiration: cloudflare.F(float64(sess.ExpiresAt.Unix())),
	})
	return sess, err
}

// Logout ends a session.
func (s *Store) Logout(ctx context.Context, id string) error {
	_, err := s.KV.Values.Delete(ctx, s.Namespace, sessionKey(id), kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(s.AccountID),
	})
	return err
}

// RememberDevice marks a device as the citizen's own.
func (s *Store) RememberDevice(ctx context.Context, citizenID, deviceID string) error {
	record := map[string]string{"since": s.Clock().UTC().Format(time.RFC3339)}
	return s.put(ctx, deviceKey(citizenID, deviceID), record, kv.NamespaceValueUpdateParams{
		ExpirationTTL: cloudflare.F(float64(rememberDeviceFor)), // EXPECT kvttl
	})
}
