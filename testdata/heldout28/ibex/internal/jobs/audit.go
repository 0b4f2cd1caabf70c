package jobs

import (
	"context"
	"strings"

	"example.com/ibex/internal/kvstore"
)

// pageLister is the listing part of the KV adapter.
type pageLister interface {
	ListPage(ctx context.Context, prefix, cursor string, limit int) (kvstore.Page, error)
}

// valueLister can also read values.
type valueLister interface {
	pageLister
	Get(ctx context.Context, key string) ([]byte, error)
}

// InviteAudit counts outstanding invitations per show for the abuse team.
type InviteAudit struct {
	st pageLister
}

// NewInviteAudit returns an audit over the invites namespace.
func NewInviteAudit(st pageLister) *InviteAudit { return &InviteAudit{st: st} }

// Outstanding returns the number of unredeemed invitation codes.
func (a *InviteAudit) Outstanding(ctx context.Context) (int, error) {
	total := 0
	cursor := ""
	for pages := 0; pages < maxPages; pages++ {
		page, err := a.st.ListPage(ctx, "invite:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return total, err
		}
		if len(page.Keys) == 0 {
			break
		}
		total += len(page.Keys)
		cursor = page.Cursor
	}
	return total, nil
}

// SessionCensus counts live creator sessions from key names alone.
func SessionCensus(ctx context.Context, st pageLister) (int, error) {
	total, cursor := 0, ""
	for pages := 0; pages < maxPages; pages++ {
		page, err := st.ListPage(ctx, "session:", cursor, 1000)
		if err != nil {
			return total, err
		}
		total += len(page.Keys)
		if page.Done() {
			return total, nil
		}
		cursor = page.Cursor
	}
	return total, nil
}

// FeedRenderer re-renders a show's public RSS.
type FeedRenderer interface {
	Render(ctx context.Context, showID string, showJSON []byte) error
}

// WarmFeeds re-renders the feeds of every cached show, e.g. after a
// template change.
func WarmFeeds(ctx context.Context, st valueLister, r FeedRenderer) (int, error) {
	done, cursor := 0, ""
	for pages := 0; pages < maxPages; pages++ {
		page, err := st.ListPage(ctx, "show:", cursor, 500)
		if err != nil {
			return done, err
		}
		for _, k := range page.Keys {
			raw, err := st.Get(ctx, k.Name) // EXPECT kvlist
			if kvstore.IsNotFound(err) {
				continue
			}
			if err != nil {
				return done, err
			}
			if err := r.Render(ctx, strings.TrimPrefix(k.Name, "show:"), raw); err != nil {
				return done, err
			}
			done++
		}
		if page.Done() {
			break
		}
		cursor = page.Cursor
	}
	return done, nil
}
