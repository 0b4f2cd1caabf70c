//go:build js && wasm

package kv

import (
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// tombstoneOpts is shared by every tombstone write: a week is long enough
// for the nightly origin sync to see it.
var tombstoneOpts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: 7 * 24 * 60 * 60}

// MaxValueBytes is our own ceiling for string values; the big blobs go
// through the media package with PutReader.
const MaxValueBytes = 4 << 20

// Namespaces are the five bindings of wrangler.toml.
type Namespaces struct {
	Cache *Store
	Auth  *Store
	Shows *Store
	Stats *Store
	Media *Store
}

// OpenAll binds every namespace and installs the shared hooks.
func OpenAll() (Namespaces, error) {
	var ns Namespaces
	var errs []error
	for _, b := range []struct {
		name string
		dst  **Store
	}{
		{"CACHE", &ns.Cache},
		{"AUTH", &ns.Auth},
		{"SHOWS", &ns.Shows},
		{"STATS", &ns.Stats},
		{"MEDIA", &ns.Media},
	} {
		s, err := Open(b.name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.BeforeSave(limitSize)
		*b.dst = s
	}
	if len(errs) > 0 {
		return ns, errors.Join(errs...)
	}
	ns.Shows.AfterDelete(ns.Shows.tombstone)
	ns.Cache.AfterDelete(logDelete("CACHE"))
	return ns, nil
}

func limitSize(key, value string) error {
	if len(value) > MaxValueBytes {
		return fmt.Errorf("value of %d bytes over %d", len(value), MaxValueBytes)
	}
	return nil
}

// tombstone leaves a short-lived marker so the origin sync can tell a
// deletion from a key it never saw.
func (s *Store) tombstone(key string) {
	if strings.HasPrefix(key, "tomb:") {
		return
	}
	stamp := time.Now().UTC().Format(time.RFC3339)
	if err := s.ns.PutString("tomb:"+key, stamp, tombstoneOpts); err != nil {
		log.Printf("kv %s: tombstone %q: %v", s.Binding, key, err)
	}
}

func logDelete(binding string) DeleteHook {
	return func(key string) {
		log.Printf("kv %s: deleted %s", binding, key)
	}
}
