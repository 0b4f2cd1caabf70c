package kvstore

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Wrappers of different depths called from one function: Save's
// summary must hold the write through SaveFor, two wrappers down, as
// well as the one through savePlain, one down.
func (s *Store) Save(key, value string, ttl time.Duration) error { // want Save:`kv wrapper: put\(namespace=\(ns \$0\), key=\$1, value=\$2, ExpirationTTL=\(int \(\(time.Duration\).Seconds \$3\)\)\); put\(namespace=\(ns \$0\), key=\$1, value=\$2\)`
	if ttl > 0 {
		return s.SaveFor(key, value, ttl)
	}
	return s.savePlain(key, value)
}

func (s *Store) SaveFor(key, value string, ttl time.Duration) error { // want SaveFor:`kv wrapper: put`
	return s.saveSeconds(key, value, int(ttl.Seconds()))
}

func (s *Store) saveSeconds(key, value string, seconds int) error { // want saveSeconds:`kv wrapper: put`
	return s.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: seconds})
}

func (s *Store) savePlain(key, value string) error { // want savePlain:`kv wrapper: put`
	return s.ns.PutString(key, value, nil)
}
