// Package courier manages courier logins, sessions and shifts.
package courier

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/curlew/internal/kv"
	"example.com/curlew/internal/kv/observe"
	"example.com/curlew/internal/repo"
)

// ErrNoSession is returned for unknown or expired sessions.
var ErrNoSession = errors.New("courier: no such session")

// Session is an authenticated courier app session.
type Session struct {
	ID        string
	CourierID string
	DeviceID  string
	Started   time.Time
	ShiftEnd  time.Time
	LastSeen  time.Time
}

// sessionRecord is the stored form of a Session.
type sessionRecord struct {
	ID       string `json:"id"`
	Courier  string `json:"courier"`
	Device   string `json:"device"`
	Started  int64  `json:"started"`
	ShiftEnd int64  `json:"shift_end"`
	LastSeen int64  `json:"last_seen"`
}

const sessionPrefix = "sess:"

func (r sessionRecord) key() string { return sessionPrefix + r.ID }

// lifetime keeps a session until half an hour after the shift ends, and never
// asks the store for less than a minute.
func (r sessionRecord) lifetime() time.Duration {
	return max(time.Until(time.Unix(r.ShiftEnd, 0).Add(30*time.Minute)), time.Minute)
}

func toRecord(s Session) sessionRecord {
	return sessionRecord{
		ID:       s.ID,
		Courier:  s.CourierID,
		Device:   s.DeviceID,
		Started:  s.Started.Unix(),
		ShiftEnd: s.ShiftEnd.Unix(),
		LastSeen: s.LastSeen.Unix(),
	}
}

func fromRecord(r sessionRecord) Session {
	return Session{
		ID:        r.ID,
		CourierID: r.Courier,
		DeviceID:  r.Device,
		Started:   time.Unix(r.Started, 0),
		ShiftEnd:  time.Unix(r.ShiftEnd, 0),
		LastSeen:  time.Unix(r.LastSeen, 0),
	}
}

func newToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Sessions stores courier sessions.
type Sessions struct {
	store   kv.Store
	records *repo.Repo[sessionRecord]
	now     func() time.Time
}

// NewSessions returns a session store on s.
func NewSessions(s kv.Store) *Sessions {
	return &Sessions{
		store:   s,
		records: repo.New(s, sessionPrefix, repo.WithLifetime(sessionRecord.lifetime)),
		now:     time.Now,
	}
}

// Create starts a session for a courier's device that lasts the shift.
func (s *Sessions) Create(ctx context.Context, courierID, deviceID string, shiftEnd time.Time) (Session, error) {
	now := s.now()
	sess := Session{ID: newToken(24), CourierID: courierID, DeviceID: deviceID, Started: now, ShiftEnd: shiftEnd, LastSeen: now}
	rec := toRecord(sess)
	raw, err := json.Marshal(rec)
	if err != nil {
		return Session{}, err
	}
	err = observe.Call(ctx, "kv.put", func(ctx context.Context) error {
		return s.store.Put(ctx, rec.key(), raw, kv.WithTTL(rec.lifetime()))
	})
	return sess, err
}

// Lookup returns the session with id.
func (s *Sessions) Lookup(ctx context.Context, id string) (Session, error) {
	rec, err := s.records.Get(ctx, id)
	if errors.Is(err, repo.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("courier: session lookup: %w", err)
	}
	return fromRecord(rec), nil
}

// Touch records activity on a session. The auth middleware calls it on every
// request so that idle sessions can be told apart from active ones.
func (s *Sessions) Touch(ctx context.Context, id string) error {
	now := s.now().Unix()
	return s.records.Modify(ctx, id, func(r *sessionRecord) error { // EXPECT kvsession
		r.LastSeen = now
		return nil
	})
}

// Logout ends a session.
func (s *Sessions) Logout(ctx context.Context, id string) error {
	rec := sessionRecord{ID: id}
	return observe.Call(ctx, "kv.delete", func(ctx context.Context) error {
		return s.store.Delete(ctx, rec.key()) // EXPECT kvsession
	})
}

// discard removes a session that was never handed to a client.
func (s *Sessions) discard(ctx context.Context, id string) error {
	return s.store.Delete(ctx, sessionRecord{ID: id}.key()) // DEBATABLE kvsession
}
