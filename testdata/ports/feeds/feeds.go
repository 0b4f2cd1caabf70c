// Package feeds reads and writes through function values that factories
// of the port's package make: given by main, or made by a constructor.
package feeds

import (
	"context"
	"time"

	"kvlint.test/ports/store"
)

type Feed struct {
	read  store.ReadFunc
	write store.WriteFunc
}

// New keeps the functions main gives it.
func New(read store.ReadFunc, write store.WriteFunc) *Feed {
	return &Feed{read: read, write: write}
}

// Append reads the feed, adds to it and writes it back.
func (f *Feed) Append(ctx context.Context, user, entry string) error {
	old, err := f.read(ctx, "feed:"+user)
	if err != nil {
		return err
	}
	return f.write(ctx, "feed:"+user, append(old, entry...)) // kvrace
}

type Inbox struct {
	read  store.ReadFunc
	write store.WriteFunc
}

// NewInbox makes its functions itself.
func NewInbox(s store.Store) *Inbox {
	return &Inbox{read: store.Reads(s), write: store.Writes(s, time.Hour)}
}

// Deliver reads the inbox, adds to it and writes it back.
func (b *Inbox) Deliver(ctx context.Context, user, msg string) error {
	old, err := b.read(ctx, "inbox:"+user)
	if err != nil {
		return err
	}
	return b.write(ctx, "inbox:"+user, append(old, msg...)) // kvrace
}

// Post writes a new entry under a key of its own: no read, nothing lost.
func (b *Inbox) Post(ctx context.Context, id, msg string) error {
	return b.write(ctx, "post:"+id, []byte(msg))
}
