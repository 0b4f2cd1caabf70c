// Package keyfmt names keys. It does not use KV: its helpers reach KV
// through the packages that call them.
package keyfmt

// Key is a family of keys under one prefix.
type Key struct{ prefix string }

func New(prefix string) Key { return Key{prefix: prefix} }

// For is the key of the record id.
func (k Key) For(id string) string { return k.prefix + ":" + id }
