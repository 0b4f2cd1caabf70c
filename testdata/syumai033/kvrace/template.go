package kvrace

import (
	"encoding/json"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/optstore"
)

// A template base: each concrete store sets the hooks in its constructor.
type recordBase struct {
	ns         *kv.Namespace
	st         *optstore.Store
	keyFor     func(id string) string
	decodeHook func(raw []byte, out any) error
	encodeHook func(v any) ([]byte, error)
}

func newPermitStore(ns *kv.Namespace) *recordBase {
	return &recordBase{
		ns:         ns,
		st:         optstore.New(ns),
		keyFor:     func(id string) string { return "permit:" + id },
		decodeHook: json.Unmarshal,
		encodeHook: json.Marshal,
	}
}

func (b *recordBase) decode(raw string, out any) error { return b.decodeHook([]byte(raw), out) }

func (b *recordBase) encode(v any) ([]byte, error) { return b.encodeHook(v) }

// The caller's record is filled from the read by a hook, changed, and
// written back.
func (b *recordBase) modify(id string, out any, change func() error) error {
	key := b.keyFor(id)
	res := b.st.Get(key)
	if res.Err != nil {
		return res.Err
	}
	if res.Value.Found {
		if err := b.decode(res.Value.Value, out); err != nil {
			return err
		}
	}
	if err := change(); err != nil {
		return err
	}
	data, err := b.encode(out)
	if err != nil {
		return err
	}
	return b.st.Put(key, string(data)) // want `read-modify-write on one KV key`
}

// Quiet: the record is the caller's, written as given; the read only
// says whether it is new.
func (b *recordBase) save(id string, v any) (created bool, err error) {
	key := b.keyFor(id)
	raw, err := b.ns.GetString(key, nil)
	if err != nil {
		return false, err
	}
	data, err := b.encode(v)
	if err != nil {
		return false, err
	}
	return raw == "<null>", b.ns.PutString(key, string(data), nil)
}
