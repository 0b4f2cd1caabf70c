// Package blobs stores content-addressed artifacts (module zips, WebDAV
// uploads, git packs) in KV, keyed by their SHA-256 digest, with a reference
// count per digest that garbage collection consults.
package blobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/hoiho-dev/hoiho/internal/kvstore"
)

const blobPrefix = "blob:sha256:"

func blobKey(digest string) string    { return blobPrefix + digest }
func refKey(digest string) string     { return "blobref:" + digest }
func pendingKey(digest string) string { return "blobpending:" + digest }

// Store is the content-addressed blob store.
type Store struct {
	kv *kvstore.Store
}

// New returns a blob store over kv.
func New(kv *kvstore.Store) *Store { return &Store{kv: kv} }

type blobMeta struct {
	Size    int   `json:"size"`
	Created int64 `json:"created"`
}

// Digest returns the hex SHA-256 of data.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Put stores data once and takes a reference on it.
func (s *Store) Put(ctx context.Context, data []byte) (string, error) {
	d := Digest(data)
	if err := s.kv.Put(ctx, pendingKey(d), []byte("1"), 30*time.Second); err != nil { // EXPECT kvttl
		return "", err
	}
	if _, err := s.kv.Meta(ctx, blobKey(d)); err != nil {
		meta := blobMeta{Size: len(data), Created: time.Now().Unix()}
		if err := s.kv.PutMeta(ctx, blobKey(d), data, meta, 0); err != nil { // DEBATABLE kvrace
			return "", err
		}
	}
	return d, s.Ref(ctx, d)
}

// Open returns the bytes stored under digest.
func (s *Store) Open(ctx context.Context, digest string) ([]byte, error) {
	return s.kv.Get(ctx, blobKey(digest))
}

// Ref adds one reference to digest.
func (s *Store) Ref(ctx context.Context, digest string) error {
	n := 0
	raw, err := s.kv.Get(ctx, refKey(digest))
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("blob %s: corrupt refcount: %w", digest, err)
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return s.kv.Put(ctx, refKey(digest), []byte(strconv.Itoa(n+1)), 0) // EXPECT kvrace|kvcounter
}

// Unref drops one reference from digest. Blobs at zero are left for GC.
func (s *Store) Unref(ctx context.Context, digest string) error {
	return s.kv.Update(ctx, refKey(digest), 0, func(old []byte) ([]byte, error) { // DEBATABLE kvcounter
		n, _ := strconv.Atoi(string(old))
		if n > 0 {
			n--
		}
		return []byte(strconv.Itoa(n)), nil
	})
}

// Lazy is a value loaded from KV the first time it is needed.
type Lazy[T any] struct {
	load func(context.Context) (T, error)
	once sync.Once
	val  T
	err  error
}

// Get loads the value on first use and returns the cached result afterwards.
func (l *Lazy[T]) Get(ctx context.Context) (T, error) {
	l.once.Do(func() { l.val, l.err = l.load(ctx) })
	return l.val, l.err
}

// Artifact is a stored file whose content and size are fetched on demand.
type Artifact struct {
	Name    string
	Digest  string
	Content *Lazy[[]byte]
	Refs    *Lazy[int]
}

// Artifact returns a proxy for a stored blob.
func (s *Store) Artifact(name, digest string) *Artifact {
	return &Artifact{
		Name:   name,
		Digest: digest,
		Content: &Lazy[[]byte]{load: func(ctx context.Context) ([]byte, error) {
			return s.kv.Get(ctx, blobKey(digest))
		}},
		Refs: &Lazy[int]{load: func(ctx context.Context) (int, error) {
			raw, err := s.kv.Get(ctx, refKey(digest))
			if errors.Is(err, kvstore.ErrNotFound) {
				return 0, nil
			}
			if err != nil {
				return 0, err
			}
			return strconv.Atoi(string(raw))
		}},
	}
}
