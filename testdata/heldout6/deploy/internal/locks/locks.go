// Package locks implements per-environment deploy locks so that two
// pipelines do not roll out to the same environment at once.
package locks

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"example.com/deploy/internal/clock"
	"example.com/deploy/internal/store"
)

var (
	ErrHeld     = errors.New("locks: environment is locked")
	ErrNotOwner = errors.New("locks: lock held by another owner")
)

// KV is the part of the storage port the lock manager uses.
type KV interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, req store.ListRequest) (store.Page, error)
}

// Lock is the stored lock record.
type Lock struct {
	Env        string    `json:"env"`
	Owner      string    `json:"owner"`
	Reason     string    `json:"reason,omitempty"`
	AcquiredAt time.Time `json:"acquired_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// Manager hands out locks.
type Manager struct {
	kv       KV
	ttl      time.Duration
	maxPages int
	clock    clock.Clock
}

// Option configures a Manager.
type Option func(*Manager)

func WithTTL(d time.Duration) Option { return func(m *Manager) { m.ttl = d } }
func WithMaxPages(n int) Option      { return func(m *Manager) { m.maxPages = n } }
func WithClock(c clock.Clock) Option { return func(m *Manager) { m.clock = c } }

// New returns a Manager.
func New(kv KV, opts ...Option) *Manager {
	m := &Manager{kv: kv, ttl: 5 * time.Minute, maxPages: 5, clock: clock.Real{}}
	for _, o := range opts {
		o(m)
	}
	return m
}

func lockKey(env string) string { return "lock/" + env }

// read returns the stored lock of env and whether it is still live.
func (m *Manager) read(ctx context.Context, env string) (Lock, bool, error) {
	var l Lock
	raw, err := m.kv.Get(ctx, lockKey(env))
	if store.IsNotFound(err) {
		return l, false, nil
	}
	if err == nil {
		err = json.Unmarshal(raw, &l)
	}
	return l, err == nil && m.clock.Now().Before(l.ExpiresAt), err
}

func (m *Manager) write(ctx context.Context, l Lock, ttl store.PutOption) error {
	raw, _ := json.Marshal(l)
	return m.kv.Put(ctx, lockKey(l.Env), raw, ttl,
		store.WithMetadata(map[string]any{"owner": l.Owner, "expires": l.ExpiresAt.Unix()}))
}

// Acquire takes the lock for env on behalf of owner.
func (m *Manager) Acquire(ctx context.Context, env, owner, reason string) (Lock, error) {
	cur, live, err := m.read(ctx, env)
	if err != nil {
		return Lock{}, err
	}
	if live && cur.Owner != owner {
		m.noteContention(ctx, env)
		return cur, ErrHeld
	}
	now := m.clock.Now().UTC()
	l := Lock{Env: env, Owner: owner, Reason: reason, AcquiredAt: now, ExpiresAt: now.Add(m.ttl)}
	return l, m.write(ctx, l, store.WithTTL(m.ttl)) // EXPECT kvrace
}

// Renew extends a lock the caller already holds.
func (m *Manager) Renew(ctx context.Context, env, owner string) (Lock, error) {
	l, live, err := m.read(ctx, env)
	if err != nil {
		return Lock{}, err
	}
	if !live || l.Owner != owner {
		return Lock{}, ErrNotOwner
	}
	l.ExpiresAt = m.clock.Now().UTC().Add(m.ttl)
	return l, m.write(ctx, l, store.WithTTL(m.ttl)) // EXPECT kvrace
}

// Freeze locks env until the given time whoever holds it, for change
// freezes announced ahead of time.
func (m *Manager) Freeze(ctx context.Context, env, owner string, until time.Time) error {
	now := m.clock.Now().UTC()
	l := Lock{Env: env, Owner: owner, Reason: "change freeze", AcquiredAt: now, ExpiresAt: until}
	return m.write(ctx, l, store.WithTTL(max(time.Until(until), 10*time.Second))) // EXPECT kvttl
}

// Release drops the lock if owner holds it.
func (m *Manager) Release(ctx context.Context, env, owner string) error {
	l, live, err := m.read(ctx, env)
	if err != nil {
		return err
	}
	if live && l.Owner != owner {
		return ErrNotOwner
	}
	return m.kv.Delete(ctx, lockKey(env))
}

// noteContention records that someone waited on env; the dashboard shows
// which environments pipelines fight over.
func (m *Manager) noteContention(ctx context.Context, env string) {
	key := "contention/" + env
	var st struct {
		Attempts int       `json:"attempts"`
		Last     time.Time `json:"last"`
	}
	if raw, err := m.kv.Get(ctx, key); err == nil {
		_ = json.Unmarshal(raw, &st)
	}
	st.Attempts++
	st.Last = m.clock.Now().UTC()
	raw, _ := json.Marshal(st)
	_ = m.kv.Put(ctx, key, raw, store.WithTTL(7*24*time.Hour)) // EXPECT kvcounter
}

// Held lists live locks, reading at most maxPages pages. The boolean is
// false when more locks may exist than were returned.
func (m *Manager) Held(ctx context.Context) ([]Lock, bool, error) {
	var out []Lock
	req := store.ListRequest{Prefix: "lock/", Limit: 100}
	now := m.clock.Now().Unix()
	for range m.maxPages {
		page, err := m.kv.List(ctx, req)
		if err != nil {
			return nil, false, err
		}
		for _, k := range page.Keys {
			owner, _ := k.Metadata["owner"].(string)
			if exp, _ := k.Metadata["expires"].(float64); int64(exp) > now {
				out = append(out, Lock{Env: k.Name[len("lock/"):], Owner: owner, ExpiresAt: time.Unix(int64(exp), 0)})
			}
		}
		if page.Complete() {
			return out, true, nil
		}
		req.Cursor = page.Cursor
	}
	return out, false, nil
}
