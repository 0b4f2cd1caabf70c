package kvrace

import (
	"strings"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/stage"
)

// Tables seats guests through a batch that is flushed after the handler:
// the put is staged, yet it writes back what the get read.
type Tables struct{ store *stage.Store }

func (t *Tables) Seat(table, guest string) error {
	b := stage.NewBatch(t.store)
	defer func() { _ = b.Flush() }()
	return t.addGuest(b, table, guest)
}

func (t *Tables) addGuest(b *stage.Batch, table, guest string) error {
	key := "table:" + table
	guests, err := t.store.Get(key)
	if err != nil {
		return err
	}
	b.Put(key, guests+","+guest, 0) // want `read-modify-write on one KV key: this put writes back a value derived from the get on line 23`
	return nil
}

// Mirror copies a key from the primary to a batch of the replica: one
// key, two namespaces, nothing raced.
type Mirror struct{ primary, replica *stage.Store }

func (m *Mirror) Sync(key string) error {
	b := stage.NewBatch(m.replica)
	if err := m.copyKey(b, key); err != nil {
		return err
	}
	return b.Flush()
}

func (m *Mirror) copyKey(b *stage.Batch, key string) error {
	v, err := m.primary.Get(key)
	if err != nil {
		return err
	}
	b.Put(key, strings.TrimSpace(v), 0)
	return nil
}

// A store made here and captured by a deferred write: the same store on
// both sides of the closure.
func appendRun(ns *kv.Namespace, run string) error {
	s := stage.Wrap(ns)
	runs, err := s.Get("runs")
	if err != nil {
		return err
	}
	defer func() {
		_ = s.Put("runs", runs+","+run, 0) // want `read-modify-write on one KV key: this put writes back a value derived from the get on line 56`
	}()
	return nil
}
