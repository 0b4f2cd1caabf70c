package kvrace

import "github.com/syumai/workers/cloudflare/kv"

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
