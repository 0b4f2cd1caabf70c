// Package editorial holds the newsroom-facing state: article edit locks,
// editor sessions and magic-link sign-in.
package editorial

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/platform/repo"
)

// ErrNotHolder is returned when an editor touches a lock they don't hold.
var ErrNotHolder = errors.New("editorial: lock held by someone else")

// LockedError tells the UI who holds the article.
type LockedError struct {
	Editor string
	Until  time.Time
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("editorial: locked by %s until %s", e.Editor, e.Until.Format(time.Kitchen))
}

// Lock is the persisted edit lock of one article.
type Lock struct {
	Editor  string    `json:"editor"`
	Since   time.Time `json:"since"`
	Expires time.Time `json:"expires"`
}

// Locks manages lock:article:<id>. The UI renews a held lock while the
// editor is active; an abandoned lock lapses with its TTL.
type Locks struct {
	repo *repo.Repository[Lock]
	ttl  time.Duration
	now  func() time.Time
}

// NewLocks returns the lock manager; ttl is both the KV expiry and the
// renewal horizon.
func NewLocks(store kv.Store, ttl time.Duration) *Locks {
	return &Locks{
		repo: repo.New[Lock](store, "lock:article:", repo.WithTTL(ttl)),
		ttl:  ttl,
		now:  time.Now,
	}
}

// Acquire locks articleID for editor.
func (l *Locks) Acquire(ctx context.Context, articleID, editor string) (Lock, error) {
	now := l.now()
	cur, found, err := l.repo.Get(ctx, articleID)
	if err != nil {
		return Lock{}, err
	}
	if found && cur.Editor != editor && cur.Expires.After(now) {
		return cur, &LockedError{Editor: cur.Editor, Until: cur.Expires}
	}
	lock := Lock{Editor: editor, Since: now, Expires: now.Add(l.ttl)}
	if err := l.repo.Put(ctx, articleID, lock); err != nil { // EXPECT kvrace
		return Lock{}, err
	}
	return lock, nil
}

// Renew extends a lock the editor already holds.
func (l *Locks) Renew(ctx context.Context, articleID, editor string) (Lock, error) {
	cur, found, err := l.repo.Get(ctx, articleID)
	if err != nil {
		return Lock{}, err
	}
	if !found || cur.Editor != editor {
		return Lock{}, ErrNotHolder
	}
	cur.Expires = l.now().Add(l.ttl)
	return cur, l.repo.Put(ctx, articleID, cur) // EXPECT kvrace
}

// Release drops the lock if editor holds it.
func (l *Locks) Release(ctx context.Context, articleID, editor string) error {
	cur, found, err := l.repo.Get(ctx, articleID)
	if err != nil || !found {
		return err
	}
	if cur.Editor != editor {
		return ErrNotHolder
	}
	return l.repo.Delete(ctx, articleID)
}
