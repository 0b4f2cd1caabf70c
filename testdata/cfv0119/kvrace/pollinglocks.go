package kvrace

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// certLocks takes a TLS library's named locks in KV, waiting while another
// process holds one: a poll loop that looks again instead of refusing.
type certLocks struct {
	api   *cloudflare.API
	rc    *cloudflare.ResourceContainer
	ns    string
	owner string
	stale time.Duration
}

type lockHolder struct {
	Owner string
	Taken time.Time
}

func (l *certLocks) wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Second):
		return nil
	}
}

// Taken only where the get missed; a stale holder is cleared and the key
// looked at again, a live one waited out.
func (l *certLocks) lock(ctx context.Context, name string) error {
	key := "locks/" + name
	for {
		raw, err := l.api.GetWorkersKV(ctx, l.rc, cloudflare.GetWorkersKVParams{NamespaceID: l.ns, Key: key})
		var nf *cloudflare.NotFoundError
		switch {
		case errors.As(err, &nf):
			rec, _ := json.Marshal(lockHolder{Owner: l.owner, Taken: time.Now()})
			_, err := l.api.WriteWorkersKVEntry(ctx, l.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: l.ns, Key: key, Value: rec}) // want `check-then-create on one KV key`
			return err
		case err != nil:
			return err
		}
		var held lockHolder
		if json.Unmarshal(raw, &held) == nil && time.Since(held.Taken) > l.stale {
			_, _ = l.api.DeleteWorkersKVEntry(ctx, l.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: l.ns, Key: key})
			continue
		}
		if err := l.wait(ctx); err != nil {
			return err
		}
	}
}

// Taken where the get missed or found a holder too old: the holder's age
// decides, and a young one is waited out.
func (l *certLocks) lockOrTakeOver(ctx context.Context, name string) error {
	key := "locks/" + name
	for {
		raw, err := l.api.GetWorkersKV(ctx, l.rc, cloudflare.GetWorkersKVParams{NamespaceID: l.ns, Key: key})
		var nf *cloudflare.NotFoundError
		switch {
		case errors.As(err, &nf):
		case err != nil:
			return err
		default:
			var held lockHolder
			if json.Unmarshal(raw, &held) == nil && time.Since(held.Taken) < l.stale {
				if err := l.wait(ctx); err != nil {
					return err
				}
				continue
			}
		}
		rec, _ := json.Marshal(lockHolder{Owner: l.owner, Taken: time.Now()})
		_, err = l.api.WriteWorkersKVEntry(ctx, l.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: l.ns, Key: key, Value: rec}) // want `check-then-set on one KV key`
		return err
	}
}

// Quiet: a cache filled in a loop over keys, each looked at once; what a
// hit found is kept, and each key's fill is its own.
func (l *certLocks) warm(ctx context.Context, names []string) (map[string][]byte, error) {
	out := make(map[string][]byte)
	for _, name := range names {
		key := "certs/" + name
		raw, err := l.api.GetWorkersKV(ctx, l.rc, cloudflare.GetWorkersKVParams{NamespaceID: l.ns, Key: key})
		var nf *cloudflare.NotFoundError
		if err == nil {
			out[name] = raw
			continue
		}
		if !errors.As(err, &nf) {
			return nil, err
		}
		_, err = l.api.WriteWorkersKVEntry(ctx, l.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: l.ns, Key: key, Value: []byte("{}")})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Quiet: a loop that hands on what it found, and fills the key only
// after its last look missed: a read-through cache that retries.
func (l *certLocks) load(ctx context.Context, name string) ([]byte, error) {
	key := "results/" + name
	for range 3 {
		raw, err := l.api.GetWorkersKV(ctx, l.rc, cloudflare.GetWorkersKVParams{NamespaceID: l.ns, Key: key})
		if err == nil {
			return raw, nil
		}
		if err := l.wait(ctx); err != nil {
			return nil, err
		}
	}
	fresh := []byte(name)
	_, err := l.api.WriteWorkersKVEntry(ctx, l.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: l.ns, Key: key, Value: fresh})
	return fresh, err
}
