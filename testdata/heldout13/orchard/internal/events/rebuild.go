package events

import (
	"context"
	"strings"
	"time"

	"example.com/orchard/internal/store"
)

// Rebuild recomputes a farm's activity card from the order index, for
// when the projection was lost or a handler bug corrupted it.
func (p *Projector) Rebuild(ctx context.Context, farmID string, maxPages int) error {
	prefix := "farmorder:" + farmID + ":"
	page, err := p.st.List(ctx, store.ListQuery{Prefix: prefix, Limit: 200})
	if err != nil {
		return err
	}
	var ids []string
	for range maxPages {
		for _, k := range page.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, prefix))
		}
		if page.Complete {
			break
		}
		page, err = p.st.List(ctx, store.ListQuery{Cursor: page.Cursor, Limit: 200}) // EXPECT kvlist
		if err != nil {
			return err
		}
	}
	a := FarmActivity{FarmID: farmID, At: time.Now().UTC()}
	for i := len(ids) - 1; i >= 0 && len(a.Recent) < recentMax; i-- {
		a.Recent = append(a.Recent, ids[i])
	}
	return store.Save(ctx, p.st, "proj:activity:"+farmID, a)
}
