// Package watch tracks per-viewer watch sessions: what is being watched,
// where the viewer is, and where to resume next time.
package watch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"

	"github.com/framewell/stilt/internal/kvstore"
)

var tracer = otel.Tracer("stilt/watch")

// ErrExpired is returned for a session that timed out or ended.
var ErrExpired = errors.New("watch: session expired")

const (
	resumeTTL = 90 * 24 * time.Hour
)

// Session is one viewer watching one video on one device.
type Session struct {
	ID       string    `json:"id"`
	Viewer   string    `json:"viewer"`
	Video    string    `json:"video"`
	Device   string    `json:"device"`
	Position float64   `json:"pos"`
	Started  time.Time `json:"started"`
	Seen     time.Time `json:"seen"`
}

// Tracker stores watch sessions in KV.
type Tracker struct {
	ns   *kvstore.Namespace
	idle time.Duration
}

// NewTracker returns a tracker whose sessions end after idle without a
// heartbeat.
func NewTracker(ns *kvstore.Namespace, idle time.Duration) *Tracker {
	return &Tracker{ns: ns, idle: max(idle, 5*time.Minute)}
}

func sessionKey(id string) string { return "watch:" + id }

func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// Start opens a session and counts a view.
func (t *Tracker) Start(ctx context.Context, viewer, video, device string) (*Session, error) {
	ctx, span := tracer.Start(ctx, "watch.Start")
	defer span.End()

	now := time.Now().UTC()
	s := &Session{ID: newID(), Viewer: viewer, Video: video, Device: device, Started: now, Seen: now}
	if pos, err := t.Resume(ctx, viewer, video); err == nil {
		s.Position = pos
	}
	body, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	if err := t.ns.Put(ctx, sessionKey(s.ID), body, t.idle); err != nil {
		return nil, err
	}
	if err := t.countView(ctx, video); err != nil {
		span.RecordError(err)
	}
	return s, nil
}

func (t *Tracker) countView(ctx context.Context, video string) error {
	key := "views:" + video
	raw, _ := t.ns.Get(ctx, key) // EXPECT kvnull
	n, _ := strconv.Atoi(string(raw))
	return t.ns.Put(ctx, key, []byte(strconv.Itoa(n+1)), 0) // EXPECT kvcounter|kvrace
}

func (t *Tracker) load(ctx context.Context, id string) (*Session, error) {
	raw, err := t.ns.Get(ctx, sessionKey(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrExpired
	}
	if err != nil {
		return nil, err
	}
	var s Session
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Heartbeat records the player's position and keeps the session alive.
func (t *Tracker) Heartbeat(ctx context.Context, id string, pos float64) error {
	ctx, span := tracer.Start(ctx, "watch.Heartbeat")
	defer span.End()

	s, err := t.load(ctx, id)
	if err != nil {
		return err
	}
	s.Position, s.Seen = pos, time.Now().UTC()
	body, err := json.Marshal(s)
	if err != nil {
		return err
	}
	span.SetAttributes(attribute.Float64("watch.pos", pos))
	return t.ns.Put(ctx, sessionKey(id), body, t.idle) // EXPECT kvsession|kvrace
}

// End closes the session and keeps the position for the next visit.
func (t *Tracker) End(ctx context.Context, id string) error {
	s, err := t.load(ctx, id)
	if errors.Is(err, ErrExpired) {
		return nil
	}
	if err != nil {
		return err
	}
	pos := strconv.FormatFloat(s.Position, 'f', 1, 64)
	if err := t.ns.Put(ctx, "resume:"+s.Viewer+":"+s.Video, []byte(pos), resumeTTL); err != nil {
		return err
	}
	return t.ns.Delete(ctx, sessionKey(id)) // EXPECT kvsession
}

// Resume returns where viewer stopped watching video, or 0.
func (t *Tracker) Resume(ctx context.Context, viewer, video string) (float64, error) {
	raw, err := t.ns.Get(ctx, "resume:"+viewer+":"+video)
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseFloat(string(raw), 64)
}
