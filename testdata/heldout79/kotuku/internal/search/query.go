package search

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"time"

	"github.com/kotuku-market/kotuku/internal/kvstore"
	"github.com/kotuku-market/kotuku/internal/tuple"
)

// Hit is one ranked search result.
type Hit struct {
	ID    uint64  `json:"id"`
	Score float64 `json:"score"`
}

// Searcher answers text queries from the inverted index.
type Searcher struct {
	ix       *Index
	results  tuple.Subspace
	corpus   int
	cacheTTL time.Duration
}

// NewSearcher returns a searcher over ix. corpusSize is an estimate of the
// number of live listings used for IDF weighting.
func NewSearcher(ix *Index, corpusSize int) *Searcher {
	return &Searcher{
		ix:       ix,
		results:  tuple.Root("search").Sub("results"),
		corpus:   max(corpusSize, 1),
		cacheTTL: 10 * time.Minute,
	}
}

// Search returns up to limit hits. Documents that contain every term come
// first; when there are fewer than limit of those, documents matching some
// of the terms fill the page, weighted by term rarity.
func (s *Searcher) Search(ctx context.Context, q string, limit int) ([]Hit, error) {
	terms := Terms(q)
	if len(terms) == 0 {
		return nil, nil
	}
	s.ix.recordHits(terms)

	cacheKey := s.results.Pack(Normalize(q), limit)
	if raw, err := s.ix.ns.Get(ctx, string(cacheKey)); err == nil {
		var hits []Hit
		if json.Unmarshal(raw, &hits) == nil {
			return hits, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}

	lists := make([]Postings, 0, len(terms))
	for _, t := range terms {
		l, err := s.ix.loadPostings(ctx, s.ix.terms.Pack(t))
		if err != nil {
			return nil, err
		}
		lists = append(lists, l)
	}
	hits := s.rank(lists, limit)

	raw, _ := json.Marshal(hits)
	if len(terms) > 2 {
		// Long-tail queries are rarely repeated; keep them briefly.
		err := s.ix.ns.Put(ctx, string(cacheKey), raw, 45*time.Second) // EXPECT kvttl
		return hits, err
	}
	return hits, s.ix.ns.Put(ctx, string(cacheKey), raw, s.cacheTTL)
}

func (s *Searcher) rank(lists []Postings, limit int) []Hit {
	all := Intersect(slices.Clone(lists)...)
	seen := make(map[uint64]bool, len(all))
	hits := make([]Hit, 0, limit)
	for i := len(all) - 1; i >= 0 && len(hits) < limit; i-- {
		hits = append(hits, Hit{ID: all[i], Score: float64(len(lists))})
		seen[all[i]] = true
	}
	if len(hits) >= limit {
		return hits
	}
	scores := make(map[uint64]float64)
	for _, l := range lists {
		idf := math.Log(1 + float64(s.corpus)/float64(1+len(l)))
		for _, id := range l {
			if !seen[id] {
				scores[id] += idf
			}
		}
	}
	var rest []Hit
	for id, sc := range scores {
		rest = append(rest, Hit{ID: id, Score: sc})
	}
	slices.SortFunc(rest, func(a, b Hit) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return int(int64(b.ID) - int64(a.ID))
	})
	return append(hits, rest[:min(len(rest), limit-len(hits))]...)
}

// Invalidate drops cached result pages for a query after a listing that
// matched it changed.
func (s *Searcher) Invalidate(ctx context.Context, q string, limits ...int) error {
	for _, l := range limits {
		if err := s.ix.ns.Delete(ctx, string(s.results.Pack(Normalize(q), l))); err != nil {
			return err
		}
	}
	return nil
}

// Warm computes and caches result pages for the most frequent queries. It
// is run from the hourly cron with the previous hour's top queries.
func (s *Searcher) Warm(ctx context.Context, queries []string) error {
	for _, q := range queries {
		lists := make([]Postings, 0, 4)
		for _, t := range Terms(q) {
			l, err := s.ix.loadPostings(ctx, s.ix.terms.Pack(t))
			if err != nil {
				return err
			}
			lists = append(lists, l)
		}
		raw, _ := json.Marshal(s.rank(lists, 20))
		key := s.results.Pack(Normalize(q), 20)
		if err := s.ix.ns.PutCached(ctx, string(key), raw, 30*time.Second); err != nil {
			return err
		}
	}
	return nil
}
