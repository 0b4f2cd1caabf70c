package search

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"

	"github.com/kotuku-market/kotuku/internal/kvstore"
	"github.com/kotuku-market/kotuku/internal/tuple"
)

// Document is the part of a listing that the index sees.
type Document struct {
	ID          uint64
	Title       string
	Description string
	Category    string
	Brand       string
}

func (d Document) terms() []string {
	return Terms(d.Title + " " + d.Description + " " + d.Brand)
}

// Index maintains posting lists and autocomplete entries.
type Index struct {
	ns    *kvstore.Namespace
	terms tuple.Subspace
	ac    tuple.Subspace
	stats tuple.Subspace

	mu   sync.Mutex
	hits map[string]int
}

// NewIndex returns an index stored in ns under the "search" subspace.
func NewIndex(ns *kvstore.Namespace) *Index {
	root := tuple.Root("search")
	return &Index{
		ns:    ns,
		terms: root.Sub("term"),
		ac:    root.Sub("ac"),
		stats: root.Sub("stats"),
		hits:  make(map[string]int),
	}
}

// Add indexes a new document.
func (ix *Index) Add(ctx context.Context, doc Document) error {
	for _, t := range doc.terms() {
		if err := ix.addPosting(ctx, t, doc.ID); err != nil {
			return fmt.Errorf("index %d: %w", doc.ID, err)
		}
		if err := ix.putSuggestion(ctx, t, doc.ID); err != nil {
			return err
		}
		stamp := strconv.AppendUint(nil, doc.ID, 10)
		if err := ix.ns.Put(ctx, string(ix.stats.Pack("last-indexed")), stamp, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Update moves a document's postings from the terms it no longer contains
// to the terms it gained.
func (ix *Index) Update(ctx context.Context, before, after Document) error {
	old, cur := doc2set(before), doc2set(after)
	for t := range old {
		if _, keep := cur[t]; keep {
			continue
		}
		if err := ix.removePosting(ctx, t, before.ID); err != nil {
			return err
		}
		if err := ix.ns.Delete(ctx, string(ix.ac.Pack(t, after.ID))); err != nil {
			return err
		}
	}
	for _, t := range slices.Sorted(maps.Keys(cur)) {
		if _, had := old[t]; had {
			continue
		}
		if err := ix.addPosting(ctx, t, after.ID); err != nil {
			return err
		}
		if err := ix.putSuggestion(ctx, t, after.ID); err != nil {
			return err
		}
	}
	return nil
}

// Remove drops a withdrawn document from every posting list.
func (ix *Index) Remove(ctx context.Context, doc Document) error {
	var errs []error
	for _, t := range doc.terms() {
		errs = append(errs, ix.removePosting(ctx, t, doc.ID))
		errs = append(errs, ix.ns.Delete(ctx, string(ix.ac.Pack(t, doc.ID))))
	}
	return errors.Join(errs...)
}

func doc2set(d Document) map[string]struct{} {
	m := make(map[string]struct{})
	for _, t := range d.terms() {
		m[t] = struct{}{}
	}
	return m
}

func (ix *Index) loadPostings(ctx context.Context, key []byte) (Postings, error) {
	raw, err := ix.ns.Get(ctx, string(key))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return DecodePostings(raw)
}

func (ix *Index) addPosting(ctx context.Context, term string, id uint64) error {
	key := ix.terms.Pack(term)
	list, err := ix.loadPostings(ctx, key)
	if err != nil {
		return err
	}
	list = list.Add(id)
	return ix.ns.Put(ctx, string(key), list.Encode(), 0) // EXPECT kvrace
}

func (ix *Index) removePosting(ctx context.Context, term string, id uint64) error {
	key := ix.terms.Pack(term)
	list, err := ix.loadPostings(ctx, key)
	if err != nil || len(list) == 0 {
		return err
	}
	list = list.Remove(id)
	if len(list) == 0 {
		return ix.ns.Delete(ctx, string(key))
	}
	return ix.ns.Put(ctx, string(key), list.Encode(), 0) // EXPECT kvrace
}

// putSuggestion writes one autocomplete entry per (term, listing). The
// listing ID is part of the key, so concurrent listings never share a key.
func (ix *Index) putSuggestion(ctx context.Context, term string, id uint64) error {
	key := ix.ac.Pack(term, id)
	return ix.ns.PutWithMeta(ctx, string(key), nil, map[string]string{"t": term}, 0)
}

// Suggest returns up to ten terms that start with prefix.
func (ix *Index) Suggest(ctx context.Context, prefix string) ([]string, error) {
	prefix = Stem(prefix)
	keys, _, err := ix.ns.Page(ctx, string(ix.ac.PackPartial(prefix)), "", 10)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range keys {
		tup, err := ix.ac.Unpack([]byte(k.Name))
		if err != nil || len(tup) == 0 {
			continue
		}
		if t, ok := tup[0].(string); ok && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// recordHits counts how often each term was searched since the last flush.
func (ix *Index) recordHits(terms []string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, t := range terms {
		ix.hits[t]++
	}
}

// FlushHits writes the per-term search counts gathered by this process.
func (ix *Index) FlushHits(ctx context.Context) error {
	ix.mu.Lock()
	pending := ix.hits
	ix.hits = make(map[string]int)
	ix.mu.Unlock()

	for term, n := range pending {
		key := ix.stats.Pack("hits", term)
		if err := ix.ns.Put(ctx, string(key), []byte(strconv.Itoa(n)), 0); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}
