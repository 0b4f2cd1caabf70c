package schedule

import (
	"context"
	"encoding/json"
	"io"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/caravan/internal/keys"
)

// Current returns the published schedule of depot for day.
func (p *Publisher) Current(ctx context.Context, depot string, day time.Time) (Schedule, error) {
	resp, _ := p.KV.Namespaces.Values.Get(ctx, p.NamespaceID, keys.ScheduleKey{Depot: depot, Day: day}.String(), kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(p.AccountID),
	})
	defer resp.Body.Close()
	var s Schedule
	err := json.NewDecoder(resp.Body).Decode(&s)
	return s, err
}

// Overview returns up to 100 published schedules with their contents, for the
// depot managers' weekly view, and the cursor of the rest.
func (p *Publisher) Overview(ctx context.Context, depot, cursor string) ([]Schedule, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(p.AccountID),
		Prefix:    cloudflare.F("sched:" + depot + ":"),
		Limit:     cloudflare.F(100.0),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := p.KV.Namespaces.Keys.List(ctx, p.NamespaceID, params)
	if err != nil {
		return nil, "", err
	}
	out := make([]Schedule, 0, len(page.Result))
	for _, k := range page.Result {
		resp, err := p.KV.Namespaces.Values.Get(ctx, p.NamespaceID, k.Name, kv.NamespaceValueGetParams{ // EXPECT kvlist
			AccountID: cloudflare.F(p.AccountID),
		})
		if err != nil {
			if notFound(err) {
				continue
			}
			return nil, "", err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, "", err
		}
		var s Schedule
		if json.Unmarshal(b, &s) == nil {
			out = append(out, s)
		}
	}
	return out, page.ResultInfo.Cursors.After, nil
}
