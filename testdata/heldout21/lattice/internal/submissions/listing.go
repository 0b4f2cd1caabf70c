package submissions

import (
	"context"
	"iter"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/kvstore"
)

// PageOf is one page of submission ids plus the cursor for the next page.
type PageOf struct {
	IDs    []conf.PaperID `json:"ids"`
	Cursor string         `json:"cursor,omitempty"`
}

// ListByConference returns one page of paper ids for a conference.
func (s *Service) ListByConference(ctx context.Context, c conf.ConferenceID, cursor string) (PageOf, error) {
	q := kvstore.ListQuery{}.WithPrefix("paper:" + string(c) + "-").WithLimit(100)
	page, err := s.store.List(ctx, q.WithCursor(cursor))
	if err != nil {
		return PageOf{}, err
	}
	out := PageOf{Cursor: page.Cursor}
	for _, n := range page.Names() {
		out.IDs = append(out.IDs, conf.PaperID(n[len("paper:"):]))
	}
	return out, nil
}

// RecentDrafts returns the newest few draft keys of an author for the
// dashboard widget.
func (s *Service) RecentDrafts(ctx context.Context, author conf.AuthorID) ([]string, error) {
	q := kvstore.ListQuery{}.WithPrefix("draft:" + author.String() + ":")
	page, err := s.store.List(ctx, q.WithLimit(5)) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	return page.Names(), nil
}

// Sample returns up to maxPages pages of paper ids, for spot checks by the
// programme chairs. It pulls from the paging iterator and stops early.
func (s *Service) Sample(ctx context.Context, maxPages int) ([]conf.PaperID, error) {
	next, stop := iter.Pull2(s.papers.Pages(ctx, 200))
	defer stop()
	var out []conf.PaperID
	for range maxPages {
		ids, err, ok := next()
		if !ok {
			break
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	return out, nil
}

// ExportIDs returns every paper id in the namespace, for the proceedings job.
func (s *Service) ExportIDs(ctx context.Context) ([]conf.PaperID, error) {
	var out []conf.PaperID
	for ids, err := range s.papers.Pages(ctx, 1000) { // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	return out, nil
}
