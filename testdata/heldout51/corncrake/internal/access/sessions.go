// Package access implements patient access to results: one-time access codes
// printed on the requisition slip, e-mailed magic links, and the browser
// sessions they open.
package access

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"example.com/corncrake/internal/config"
	"example.com/corncrake/internal/kvstore"
	"example.com/corncrake/internal/records"
)

// Session is a patient's browser session.
type Session struct {
	ID        string    `json:"id"`
	PatientID string    `json:"patient_id"`
	Via       string    `json:"via"`
	Created   time.Time `json:"created"`
	LastSeen  time.Time `json:"last_seen"`
	ResultIDs []string  `json:"result_ids"`
}

// sessionMeta is stored as list metadata so sessions can be found by patient
// without reading every value.
type sessionMeta struct {
	PatientID string `json:"p"`
}

// SessionStore keeps sessions under psess:<id>.
type SessionStore struct {
	records.Base
}

// NewSessionStore binds a session store to the access namespace.
func NewSessionStore(st kvstore.Store) *SessionStore {
	s := &SessionStore{}
	s.Base = records.Base{
		Store:  st,
		KeyFor: func(id string) string { return "psess:" + id },
		TTL:    config.SessionTTL,
		Meta: func(v any) any {
			return sessionMeta{PatientID: v.(*Session).PatientID}
		},
	}
	s.JSON()
	return s
}

func newToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Start opens a new session for patientID.
func (s *SessionStore) Start(ctx context.Context, patientID, via string, resultIDs []string) (*Session, error) {
	now := time.Now().UTC()
	sess := &Session{
		ID:        newToken(24),
		PatientID: patientID,
		Via:       via,
		Created:   now,
		LastSeen:  now,
		ResultIDs: resultIDs,
	}
	if err := s.Save(ctx, sess.ID, sess); err != nil {
		return nil, err
	}
	return sess, nil
}

// ErrNoSession is returned for unknown, idle or revoked sessions.
var ErrNoSession = errors.New("access: no such session")

// Lookup returns an active session.
func (s *SessionStore) Lookup(ctx context.Context, sid string) (*Session, error) {
	var sess Session
	ok, err := s.Load(ctx, sid, &sess)
	if err != nil {
		return nil, err
	}
	if !ok || time.Since(sess.LastSeen) > config.SessionIdle {
		return nil, ErrNoSession
	}
	rv := s.Store.Get(ctx, "revoked:"+sid)
	if rv.Err != nil {
		return nil, rv.Err
	}
	if rv.Val.Found {
		return nil, ErrNoSession
	}
	return &sess, nil
}

// Touch records activity on a session so it stays inside the idle window.
func (s *SessionStore) Touch(ctx context.Context, sess *Session) error {
	sess.LastSeen = time.Now().UTC()
	return s.Save(ctx, sess.ID, sess) // EXPECT kvsession|kvrace
}

// End signs the session out.
func (s *SessionStore) End(ctx context.Context, sid string) error {
	return s.Remove(ctx, sid) // EXPECT kvsession
}

// SessionsOf finds a patient's sessions from list metadata, reading at most
// SweepMaxPages pages.
func (s *SessionStore) SessionsOf(ctx context.Context, patientID string) ([]string, error) {
	l, ok := s.Store.(kvstore.Lister)
	if !ok {
		return nil, errors.ErrUnsupported
	}
	var ids []string
	opts := kvstore.ListOptions{Prefix: "psess:", Limit: config.ListPageSize}
	for page := 0; page < config.SweepMaxPages; page++ {
		r := l.List(ctx, opts)
		if r.Err != nil {
			return nil, r.Err
		}
		for _, k := range r.Val.Keys {
			if m, ok := k.Metadata.(map[string]any); ok && m["p"] == patientID {
				ids = append(ids, k.Name[len("psess:"):])
			}
		}
		if r.Val.Complete {
			return ids, nil
		}
		opts.Cursor = r.Val.Cursor
	}
	return ids, errors.New("access: session listing truncated")
}

// RevokeAll signs a patient out everywhere, e.g. after they report a lost
// requisition slip.
func (s *SessionStore) RevokeAll(ctx context.Context, patientID string) error {
	sids, err := s.SessionsOf(ctx, patientID)
	if err != nil {
		return err
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	entries := make([]kvstore.Entry, 0, len(sids))
	for _, sid := range sids {
		entries = append(entries, kvstore.Entry{
			Key:   "revoked:" + sid,
			Value: stamp,
			Opts:  kvstore.PutOptions{TTL: config.SessionTTL},
		})
	}
	if bw, ok := s.Store.(kvstore.BatchWriter); ok {
		return bw.PutBatch(ctx, entries) // EXPECT kvsession
	}
	for _, e := range entries {
		if err := s.Store.Put(ctx, e.Key, e.Value, e.Opts); err != nil { // EXPECT kvsession
			return err
		}
	}
	return nil
}
