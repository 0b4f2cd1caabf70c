// Package collab provides section locks for editors sharing an issue.
package collab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"time"

	"example.com/quill/internal/keys"
	"example.com/quill/internal/storage"
)

var now = time.Now

// sectionLockTTL is short so that a closed tab frees its section quickly.
const sectionLockTTL = 45 * time.Second

// ErrLocked is returned when another editor holds the section.
type ErrLocked struct {
	Holder string
	Until  time.Time
}

func (e *ErrLocked) Error() string {
	return fmt.Sprintf("collab: section is being edited by %s until %s", e.Holder, e.Until.Format(time.Kitchen))
}

// Lock is the stored lock record.
type Lock struct {
	Editor   string    `json:"editor"`
	Acquired time.Time `json:"acquired"`
	Until    time.Time `json:"until"`
}

// auditWriter logs every lock change before passing it on.
type auditWriter struct {
	next storage.Writer
	log  *log.Logger
}

func (a auditWriter) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	a.log.Printf("lock put %s ttl=%s", key, opts.TTL)
	return a.next.Put(ctx, key, value, opts)
}

func (a auditWriter) Delete(ctx context.Context, key string) error {
	a.log.Printf("lock delete %s", key)
	return a.next.Delete(ctx, key)
}

// Locks manages section locks.
type Locks struct {
	rw storage.ReadWriter
}

// NewLocks returns Locks on rw whose writes are logged to logger.
func NewLocks(rw storage.ReadWriter, logger *log.Logger) *Locks {
	return &Locks{rw: storage.Split(rw, auditWriter{next: rw, log: logger})}
}

func (l *Locks) holder(ctx context.Context, key string) (*Lock, error) {
	raw, err := l.rw.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var lk Lock
	if err := json.Unmarshal(raw, &lk); err != nil || now().After(lk.Until) {
		return nil, err
	}
	return &lk, nil
}

// Acquire takes (or renews) editor's lock on a section of docID.
func (l *Locks) Acquire(ctx context.Context, docID, section, editor string) (*Lock, error) {
	key := keys.Lock(docID, section)
	cur, err := l.holder(ctx, key)
	if err != nil {
		return nil, err
	}
	if cur != nil && cur.Editor != editor {
		return nil, &ErrLocked{Holder: cur.Editor, Until: cur.Until}
	}
	lk := Lock{Editor: editor, Acquired: now(), Until: now().Add(sectionLockTTL)}
	if cur != nil {
		lk.Acquired = cur.Acquired
	}
	b, err := json.Marshal(lk)
	if err != nil {
		return nil, err
	}
	err = l.rw.Put(ctx, key, b, storage.PutOptions{ // EXPECT kvrace
		TTL:      sectionLockTTL, // EXPECT kvttl
		Metadata: map[string]any{"editor": editor},
	})
	if err != nil {
		return nil, err
	}
	return &lk, nil
}
