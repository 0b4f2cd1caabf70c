// Package gitrefs mirrors git repositories into KV. Storage implements the
// reference and object storer shapes of go-git so the mirror job can drive
// it with ordinary fetch logic.
package gitrefs

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/hoiho-dev/hoiho/internal/kvstore"
)

// ReferenceName is a full ref name such as refs/heads/main.
type ReferenceName string

// Hash is a git object id.
type Hash [20]byte

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is the zero id.
func (h Hash) IsZero() bool { return h == Hash{} }

// NewHash parses a hex object id.
func NewHash(s string) (Hash, error) {
	var h Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("gitrefs: bad hash %q", s)
	}
	copy(h[:], b)
	return h, nil
}

// Reference is a hash reference or a symbolic reference.
type Reference struct {
	Name   ReferenceName
	Hash   Hash
	Target ReferenceName // set for symbolic refs
}

// String encodes the reference the way loose ref files do.
func (r *Reference) String() string {
	if r.Target != "" {
		return "ref: " + string(r.Target)
	}
	return r.Hash.String()
}

func parseReference(name ReferenceName, v string) (*Reference, error) {
	if t, ok := strings.CutPrefix(v, "ref: "); ok {
		return &Reference{Name: name, Target: ReferenceName(t)}, nil
	}
	h, err := NewHash(strings.TrimSpace(v))
	if err != nil {
		return nil, err
	}
	return &Reference{Name: name, Hash: h}, nil
}

// EncodedObject is a raw git object.
type EncodedObject struct {
	Type string
	Data []byte
}

// Hash computes the object id.
func (o *EncodedObject) Hash() Hash {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", o.Type, len(o.Data))
	h.Write(o.Data)
	var out Hash
	copy(out[:], h.Sum(nil))
	return out
}

var (
	ErrReferenceNotFound   = errors.New("reference not found")
	ErrReferenceHasChanged = errors.New("reference has changed concurrently")
	ErrObjectNotFound      = errors.New("object not found")
)

// ReferenceStorer is go-git's storer.ReferenceStorer without the context-free
// signatures, which the mirror job does not need.
type ReferenceStorer interface {
	SetReference(context.Context, *Reference) error
	CheckAndSetReference(ctx context.Context, new, old *Reference) error
	Reference(context.Context, ReferenceName) (*Reference, error)
	IterReferences(context.Context) ([]*Reference, error)
	RemoveReference(context.Context, ReferenceName) error
}

// EncodedObjectStorer stores objects keyed by hash.
type EncodedObjectStorer interface {
	SetEncodedObject(context.Context, *EncodedObject) (Hash, error)
	EncodedObject(context.Context, Hash) (*EncodedObject, error)
}

// Storage keeps one mirrored repository's refs and objects.
type Storage struct {
	KV   *kvstore.Store
	Repo string
}

var (
	_ ReferenceStorer     = (*Storage)(nil)
	_ EncodedObjectStorer = (*Storage)(nil)
)

func (s *Storage) refPrefix() string                { return "git:" + s.Repo + ":ref:" }
func (s *Storage) refKey(n ReferenceName) string    { return s.refPrefix() + string(n) }
func (s *Storage) reflogKey(n ReferenceName) string { return "git:" + s.Repo + ":reflog:" + string(n) }
func (s *Storage) objectKey(h Hash) string          { return "git:" + s.Repo + ":obj:" + h.String() }

type refMeta struct {
	V string `json:"v"`
}

// SetReference stores ref unconditionally. The encoded value is repeated in
// the key's metadata so that IterReferences needs no per-key reads.
func (s *Storage) SetReference(ctx context.Context, ref *Reference) error {
	v := ref.String()
	return s.KV.PutMeta(ctx, s.refKey(ref.Name), []byte(v), refMeta{V: v}, 0)
}

// CheckAndSetReference stores new if the current value still equals old.
func (s *Storage) CheckAndSetReference(ctx context.Context, new, old *Reference) error {
	if old != nil {
		cur, err := s.Reference(ctx, old.Name)
		if err != nil && !errors.Is(err, ErrReferenceNotFound) {
			return err
		}
		if cur != nil && cur.String() != old.String() {
			return ErrReferenceHasChanged
		}
	}
	v := new.String()
	if err := s.KV.PutMeta(ctx, s.refKey(new.Name), []byte(v), refMeta{V: v}, 0); err != nil { // EXPECT kvrace
		return err
	}
	var prev string
	if old != nil {
		prev = old.String()
	}
	return s.appendReflog(ctx, new.Name, prev, v)
}

func (s *Storage) appendReflog(ctx context.Context, name ReferenceName, from, to string) error {
	log, err := s.KV.Get(ctx, s.reflogKey(name))
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	line := fmt.Sprintf("%s %s %d\tmirror: fetch\n", cmpOr(from, strings.Repeat("0", 40)), to, time.Now().Unix())
	return s.KV.Put(ctx, s.reflogKey(name), append(log, line...), 90*24*time.Hour) // EXPECT kvrace
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Reference reads one ref.
func (s *Storage) Reference(ctx context.Context, name ReferenceName) (*Reference, error) {
	raw, err := s.KV.Get(ctx, s.refKey(name))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrReferenceNotFound
	}
	if err != nil {
		return nil, err
	}
	return parseReference(name, string(raw))
}

// IterReferences returns every ref of the repository.
func (s *Storage) IterReferences(ctx context.Context) ([]*Reference, error) {
	api := s.KV.Client()
	iter := api.KV.Namespaces.Keys.ListAutoPaging(ctx, s.KV.Namespace(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.KV.Account()),
		Prefix:    cloudflare.F(s.refPrefix()),
		Limit:     cloudflare.F(2000.0), // EXPECT kvlimits
	})
	var refs []*Reference
	for iter.Next() {
		k := iter.Current()
		name := ReferenceName(strings.TrimPrefix(k.Name, s.refPrefix()))
		m, _ := k.Metadata.(map[string]any)
		v, _ := m["v"].(string)
		ref, err := parseReference(name, v)
		if err != nil {
			return nil, fmt.Errorf("ref %s: %w", name, err)
		}
		refs = append(refs, ref)
	}
	return refs, iter.Err()
}

// RemoveReference deletes a ref that vanished upstream.
func (s *Storage) RemoveReference(ctx context.Context, name ReferenceName) error {
	return s.KV.Delete(ctx, s.refKey(name))
}

// SetEncodedObject stores obj under its hash. Objects are immutable.
func (s *Storage) SetEncodedObject(ctx context.Context, obj *EncodedObject) (Hash, error) {
	h := obj.Hash()
	payload := append([]byte(obj.Type+"\x00"), obj.Data...)
	return h, s.KV.Put(ctx, s.objectKey(h), payload, 0)
}

// EncodedObject loads an object by hash.
func (s *Storage) EncodedObject(ctx context.Context, h Hash) (*EncodedObject, error) {
	resp, err := s.KV.Client().KV.Namespaces.Values.Get(ctx, s.KV.Namespace(), url.PathEscape(s.objectKey(h)), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.KV.Account()),
	})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return nil, ErrObjectNotFound
	}
	typ, data, ok := strings.Cut(string(raw), "\x00")
	if !ok {
		return nil, fmt.Errorf("object %s: corrupt encoding", h)
	}
	return &EncodedObject{Type: typ, Data: []byte(data)}, nil
}
