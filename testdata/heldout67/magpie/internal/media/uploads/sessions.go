// Package uploads implements resumable (tus-like) upload sessions. A session
// is created when the client announces an upload, and records which byte
// ranges have arrived so the client can resume after a dropped connection.
package uploads

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/magpie-media/magpie/internal/kvrest"
)

// ErrGone is returned for sessions that expired or were completed.
var ErrGone = errors.New("upload session gone")

// Part is one received byte range.
type Part struct {
	Offset int64  `json:"off"`
	Size   int64  `json:"size"`
	ETag   string `json:"etag"`
}

// Session is a resumable upload in progress.
type Session struct {
	ID        string    `json:"id"`
	Owner     string    `json:"owner"`
	Filename  string    `json:"filename"`
	Size      int64     `json:"size"`
	Parts     []Part    `json:"parts"`
	Deadline  time.Time `json:"deadline"`
	LastTouch time.Time `json:"last_touch"`
}

func (s *Session) Received() int64 {
	var n int64
	for _, p := range s.Parts {
		n += p.Size
	}
	return n
}

// Manager creates and updates sessions in the UPLOADS namespace.
type Manager struct {
	KV *kvrest.Namespace
	// Window is how long a client has to finish an upload.
	Window time.Duration
	// Idle is how long an untouched session survives.
	Idle time.Duration
}

func sessionKey(id string) string { return "upload:" + id }

func newID() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create opens a new session for owner.
func (m *Manager) Create(ctx context.Context, owner, filename string, size int64) (*Session, error) {
	now := time.Now()
	s := &Session{
		ID:        newID(),
		Owner:     owner,
		Filename:  filename,
		Size:      size,
		Deadline:  now.Add(m.Window),
		LastTouch: now,
	}
	if err := m.KV.PutJSON(ctx, sessionKey(s.ID), s, m.Window+time.Hour); err != nil {
		return nil, err
	}
	return s, nil
}

// Load returns a session, or ErrGone.
func (m *Manager) Load(ctx context.Context, id string) (*Session, error) {
	var s Session
	if err := m.KV.GetJSON(ctx, sessionKey(id), &s); err != nil {
		if kvrest.IsNotFound(err) {
			return nil, ErrGone
		}
		return nil, err
	}
	return &s, nil
}

// RecordPart adds a received range to the session.
func (m *Manager) RecordPart(ctx context.Context, id string, p Part) (*Session, error) {
	s, err := m.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	s.Parts = append(s.Parts, p)
	slices.SortFunc(s.Parts, func(a, b Part) int { return int(a.Offset - b.Offset) })
	s.LastTouch = time.Now()
	raw, _ := json.Marshal(s)
	if err := m.KV.PutUntil(ctx, sessionKey(id), raw, s.Deadline); err != nil { // EXPECT kvrace|kvsession
		return nil, err
	}
	return s, nil
}

// Touch extends an idle session; the upload client calls HEAD every few
// seconds while it is paused.
func (m *Manager) Touch(ctx context.Context, id string) error {
	s, err := m.Load(ctx, id)
	if err != nil {
		return err
	}
	s.LastTouch = time.Now()
	return m.KV.PutJSON(ctx, sessionKey(id), s, m.Idle) // EXPECT kvsession
}

// Import re-creates sessions that a client reports from its local journal
// after a region failover; each part is stored as it is confirmed.
func (m *Manager) Import(ctx context.Context, s *Session, confirmed []Part) error {
	for _, p := range confirmed {
		s.Parts = append(s.Parts, p)
		if err := m.KV.PutJSON(ctx, sessionKey(s.ID), s, m.Window); err != nil { // EXPECT kvhotkey|kvsession
			return fmt.Errorf("import part %d: %w", p.Offset, err)
		}
	}
	return nil
}

// Extend gives a slow client more time. The new deadline comes from the
// client's request and is capped by the plan's window.
func (m *Manager) Extend(ctx context.Context, id string, until time.Time) error {
	s, err := m.Load(ctx, id)
	if err != nil {
		return err
	}
	s.Deadline = until
	raw, _ := json.Marshal(s)
	ttl := max(time.Until(until), 10*time.Second)  // EXPECT kvttl
	return m.KV.Put(ctx, sessionKey(id), raw, ttl) // EXPECT kvsession
}

// Finish removes the session once the object has been assembled in R2.
func (m *Manager) Finish(ctx context.Context, id string) error {
	return m.KV.Delete(ctx, sessionKey(id)) // DEBATABLE kvsession
}

// Resume returns the offset at which the client continues.
func (m *Manager) Resume(ctx context.Context, id string) (int64, error) {
	s, err := m.Load(ctx, id)
	if err != nil {
		return 0, err
	}
	return s.Received(), nil
}
