package kvstore

import (
	"github.com/syumai/workers/cloudflare/kv"
)

// Sessions keeps sessions under "sess:" + id.
type Sessions struct{ ns *kv.Namespace }

func (s *Sessions) Create(id, data string) error { // want Create:`kv wrapper: put`
	return s.ns.PutString("sess:"+id, data, &kv.PutOptions{ExpirationTTL: 3600})
}

// End deletes the session: reported here, once, not at each caller.
func (s *Sessions) End(id string) error { // want End:`kv wrapper: delete`
	return s.ns.Delete("sess:" + id)
}

// Store is a generic adapter: what its callers delete, they name.
func (s *Store) Delete(key string) error { // want Delete:`kv wrapper: delete`
	return s.ns.Delete(key)
}
