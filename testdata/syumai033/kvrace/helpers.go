package kvrace

import (
	"encoding/json"

	"github.com/syumai/workers/cloudflare/kv"
)

// A key built by a method of the package, from a field of its receiver:
// two calls with the same id on the same value name the same key.
type prefixed struct {
	ns     *kv.Namespace
	prefix string
}

func (p *prefixed) key(id string) string { return p.prefix + id }

func (p *prefixed) appendTag(id, tag string) error {
	tags, err := p.ns.GetString(p.key(id), nil)
	if err != nil {
		return err
	}
	return p.ns.PutString(p.key(id), tags+","+tag, nil) // want `read-modify-write on one KV key`
}

// Quiet: the tag list of another id.
func (p *prefixed) copyTags(from, to string) error {
	tags, err := p.ns.GetString(p.key(from), nil)
	if err != nil {
		return err
	}
	return p.ns.PutString(p.key(to), tags+",copied", nil)
}

// A key built by a function kept in a field: the same function, on the
// same receiver, given the same id, builds the same key.
type keyed struct {
	ns  *kv.Namespace
	Key func(id string) string
}

func (k *keyed) appendNote(id, note string) error {
	notes, err := k.ns.GetString(k.Key(id), nil)
	if err != nil {
		return err
	}
	return k.ns.PutString(k.Key(id), notes+"\n"+note, nil) // want `read-modify-write on one KV key`
}

// A record whose version is bumped is changed in place: a race, which
// kvcounter leaves to kvrace.
type record struct {
	Owner   string
	Version int
}

func (k *keyed) transfer(id, owner string) error {
	raw, err := k.ns.GetString(k.Key(id), nil)
	if err != nil {
		return err
	}
	var r record
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return err
	}
	r.Owner = owner
	r.Version++
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return k.ns.PutString(k.Key(id), string(b), nil) // want `read-modify-write on one KV key`
}
