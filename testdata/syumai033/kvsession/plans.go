package kvsession

import "github.com/syumai/workers/cloudflare/kv"

// Where each kind of record lives is picked by a switch over its kind,
// and the key built by a method of the struct picked.
type placeKind int

const (
	placeLogin placeKind = iota
	placePreview
)

type placement struct {
	Prefix string
	TTL    int
}

func (l placement) key(id string) string { return l.Prefix + id }

func placementFor(k placeKind) placement {
	switch k {
	case placeLogin:
		return placement{Prefix: "session/", TTL: 3600}
	default:
		return placement{Prefix: "preview/", TTL: 600}
	}
}

func endLogin(ns *kv.Namespace, id string) error { // want endLogin:"kvsession"
	l := placementFor(placeLogin)
	_ = l.TTL
	return ns.Delete(l.key(id)) // want `A session revoked or consumed by a KV delete`
}

func dropPreview(ns *kv.Namespace, id string) error {
	return ns.Delete(placementFor(placePreview).key(id))
}
