// Package valuebucket is an adapter held by value, whose accessor hands
// out the namespace it keeps (a value receiver reads its field through a
// copy of itself).
package valuebucket

import "github.com/syumai/workers/cloudflare/kv"

type Bucket struct {
	Binding string
	ns      *kv.Namespace
}

func Open(binding string) (Bucket, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return Bucket{}, err
	}
	return Bucket{Binding: binding, ns: ns}, nil
}

func (b Bucket) NS() *kv.Namespace { return b.ns }
