package kvrace

import (
	"encoding/json"
	"errors"

	"github.com/syumai/workers/cloudflare/kv"
)

// docStore keeps JSON documents; a record names its own key.
type docStore struct{ ns *kv.Namespace }

func (s *docStore) get(key string) ([]byte, error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return nil, err
	}
	if v == "<null>" {
		return nil, errors.New("not found")
	}
	return []byte(v), nil
}

func (s *docStore) put(key string, b []byte) error {
	return s.ns.PutString(key, string(b), nil)
}

// loadDoc reads the record of type T whose key T derives from id.
func loadDoc[T any, PT interface {
	*T
	Key() string
	SetID(string)
}](s *docStore, id string) (*T, error) {
	rec := PT(new(T))
	rec.SetID(id)
	raw, err := s.get(rec.Key())
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, rec); err != nil {
		return nil, err
	}
	return (*T)(rec), nil
}

// saveDoc writes rec under its own key.
func saveDoc[T any, PT interface {
	*T
	Key() string
}](s *docStore, rec PT) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return s.put(rec.Key(), raw)
}

// mutateDoc loads a record, lets fn change it and writes it back under
// its own key: two concurrent calls lose one change.
func mutateDoc[T any, PT interface {
	*T
	Key() string
	SetID(string)
}](s *docStore, id string, fn func(PT)) error {
	rec, err := loadDoc[T, PT](s, id)
	if err != nil {
		return err
	}
	fn(PT(rec))
	return saveDoc[T, PT](s, PT(rec)) // want `read-modify-write on one KV key`
}
