// Package kvstore wraps a KV namespace as applications do. // want package:"uses KV"
//
// Its callers in other packages are checked through analysis facts.
package kvstore

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type Store struct{ ns *kv.Namespace }

func New(binding string) (*Store, error) { // want New:`kv result fields: ns=\(github.com/syumai/workers/cloudflare/kv.NewNamespace \$0\)`
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, err
	}
	return &Store{ns: ns}, nil
}

func (s *Store) Set(key, value string, ttl time.Duration) error { // want Set:`kv wrapper: put\(namespace=\(ns \$0\), key=\$1, value=\$2, ExpirationTTL=\(int \(\(time.Duration\).Seconds \$3\)\)\)`
	return s.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// SetFloor clamps the TTL to KV's minimum, so any argument is fine.
func (s *Store) SetFloor(key, value string, ttl time.Duration) error { // want SetFloor:`kv wrapper: put`
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

func (s *Store) Get(key string) (string, error) { // want Get:`kv wrapper: get\(namespace=\(ns \$0\), key=\$1, results=\[0\], missing="<null>"\)`
	return s.ns.GetString(key, nil)
}

// SetSeconds is a wrapper of a wrapper.
func SetSeconds(s *Store, key, value string, seconds int) error { // want SetSeconds:`kv wrapper: put\(namespace=\(ns \$0\), key=\$1, value=\$2, ExpirationTTL=\(int \(\(time.Duration\).Seconds \(\* \(int \$3\) 1000000000\)\)\)\)`
	return s.Set(key, value, time.Duration(seconds)*time.Second)
}

// Fixed decides the key and TTL itself; only the store is its caller's.
func Fixed(s *Store) error { // want Fixed:`kv wrapper: put\(namespace=\(ns \$0\), key="motd", value="hello", ExpirationTTL=\(int \(\(time.Duration\).Seconds 3600000000000\)\)\)`
	return s.Set("motd", "hello", time.Hour)
}

// GetJSON decodes the value into v, an out-parameter.
func (s *Store) GetJSON(key string, v any) error { // want GetJSON:`kv wrapper: get\(namespace=\(ns \$0\), key=\$1, out=\[2\]\)`
	raw, err := s.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(raw), v)
}

func (s *Store) PutJSON(key string, v any) error { // want PutJSON:`kv wrapper: put`
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.ns.PutString(key, string(data), nil)
}

// SetOptional sets a TTL only when one is given: 0 keeps the key.
func (s *Store) SetOptional(key, value string, ttl time.Duration) error { // want SetOptional:`kv wrapper: put`
	opts := &kv.PutOptions{}
	if ttl > 0 {
		opts.ExpirationTTL = int(ttl.Seconds())
	}
	return s.ns.PutString(key, value, opts)
}

// SetUntil expires the key at a given time.
func (s *Store) SetUntil(key, value string, at time.Time) error { // want SetUntil:`kv wrapper: put`
	return s.ns.PutString(key, value, &kv.PutOptions{Expiration: int(at.Unix())})
}

// SetFor expires the key a while from now, as an absolute time.
func (s *Store) SetFor(key, value string, d time.Duration) error { // want SetFor:`kv wrapper: put`
	return s.ns.PutString(key, value, &kv.PutOptions{Expiration: int(time.Now().Add(d).Unix())})
}

// SetRawSeconds takes the TTL in seconds, as KV does.
func SetRawSeconds(s *Store, key, value string, seconds int64) error { // want SetRawSeconds:`kv wrapper: put`
	return s.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(seconds)})
}

// Add adds n to the number under key and returns the new total: a
// read-modify-write of its own, reported here, not at its callers.
func (s *Store) Add(key string, n int) (int, error) { // want Add:`kv wrapper: get\(namespace=\(ns \$0\), key=\$1, results=\[0\]\); put\(namespace=\(ns \$0\), key=\$1`
	cur, err := s.ns.GetString(key, nil)
	if err != nil {
		return 0, err
	}
	total, _ := strconv.Atoi(cur)
	total += n
	return total, s.ns.PutString(key, strconv.Itoa(total), nil)
}

// SetWith and SetAt build options for put, which sends them.
func (s *Store) SetWith(key, value string, ttl time.Duration) error { // want SetWith:`kv wrapper: put\(namespace=\(ns \$0\), key=\$1, value=\$2, ExpirationTTL=\(int \(\(time.Duration\).Seconds \$3\)\)`
	return s.put(key, value, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// SetAt expires the key at a Unix time in seconds.
func (s *Store) SetAt(key, value string, unix int64) error { // want SetAt:`kv wrapper: put\(namespace=\(ns \$0\), key=\$1, value=\$2, Expiration=\(int \$3\)`
	return s.put(key, value, &kv.PutOptions{Expiration: int(unix)})
}

func (s *Store) put(key, value string, opts *kv.PutOptions) error { // want put:`kv wrapper: put\(namespace=\(ns \$0\), key=\$1, value=\$2, ExpirationTTL=\(ExpirationTTL \$3\)`
	return s.ns.PutString(key, value, opts)
}

// SetPaced keeps a value for ttl, but never less than a floor of its own,
// which is below KV's minimum: judged here, not at each caller.
func (s *Store) SetPaced(key, value string, ttl time.Duration) error { // want SetPaced:`kv wrapper: put`
	if ttl < 15*time.Second {
		ttl = 15 * time.Second
	}
	return s.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// reportPrefix is longer than any key may be.
const reportPrefix = "report:" + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" + ":"

// PutReport keys a report by a prefix too long for any key, whatever the
// id: judged here, not at each caller.
func (s *Store) PutReport(id, body string) error { // want PutReport:`kv wrapper: put`
	return s.ns.PutString(reportPrefix+id, body, nil)
}

// Ops is a table of calls that a caller fills with closures.
type Ops struct {
	Put func(key, value string) error
}

func NewOps(s *Store) Ops { // want NewOps:`kv wrapper: put` NewOps:`kv func fields: kvlint.test/syumai033/kvstore.Ops.Put=kvlint.test/syumai033/kvstore.NewOps\$1`
	return Ops{Put: func(key, value string) error { return s.Set(key, value, time.Hour) }}
}
