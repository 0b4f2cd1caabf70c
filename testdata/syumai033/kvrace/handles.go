package kvrace

import (
	"kvlint.test/syumai033/handles"
)

// Must-style helpers: one reads through the binding the Namespace hands
// out, the other writes through the Namespace; both name one store.
func mustGet(ns *handles.Namespace, key string) string {
	v, err := ns.Raw().GetString(key, nil)
	if err != nil {
		panic(err)
	}
	return v
}

func mustPut(ns *handles.Namespace, key, value string) {
	if err := ns.Put(key, value); err != nil {
		panic(err)
	}
}

// A slug claimed with the helpers: both requests see it free.
func claimSlugWithHelpers(ns *handles.Namespace, slug, owner string) bool {
	key := "slug:" + slug
	if v := mustGet(ns, key); v != "<null>" {
		return false
	}
	mustPut(ns, key, owner) // want `check-then-create on one KV key`
	return true
}

type hold struct {
	Rooms  int
	Nights []string
}

// A hold stored again as it was read, with a new lifetime: not a change.
func extendHold(ns *handles.Namespace, id string, ttl int) error {
	key := handles.NewKey[hold](ns, "hold:"+id)
	h, err := key.Load()
	if err != nil {
		return err
	}
	return key.Store(h, ttl)
}

// A hold changed through its slice before it is stored again.
func renameNight(ns *handles.Namespace, id, from, to string) error {
	key := handles.NewKey[hold](ns, "hold:"+id)
	h, err := key.Load()
	if err != nil {
		return err
	}
	for i := range h.Nights {
		if h.Nights[i] == from {
			h.Nights[i] = to
		}
	}
	return key.Store(h, 3600) // want `read-modify-write on one KV key`
}
