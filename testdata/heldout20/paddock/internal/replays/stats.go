package replays

import (
	"context"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/paddock/internal/cfkv"
	"example.com/paddock/internal/keys"
	"example.com/paddock/internal/store"
)

// Views is a replay view count.
type Views int64

// RecordView counts one view of a replay.
func (t Threads) RecordView(ctx context.Context, replayID string) (Views, error) {
	key := keys.Thread(replayID, "views")
	n, err := store.GetCount[Views](ctx, t.Store, key)
	if err != nil && !store.IsNotFound(err) {
		return 0, err
	}
	n++
	return n, store.PutCount(ctx, t.Store, key, n, store.WriteOptions{}) // EXPECT kvcounter
}

// Like records a like in the likes ledger and refreshes the displayed total.
func (t Threads) Like(ctx context.Context, replayID, player string) (int64, error) {
	total, err := t.Likes.Add(ctx, "replay-likes:"+replayID, 1)
	if err != nil {
		return 0, err
	}
	err = t.Store.Put(ctx, keys.Thread(replayID, "likes-display"), []byte(strconv.FormatInt(total, 10)), store.WriteOptions{
		TTL: 5 * time.Minute,
	})
	return total, err
}

// Summary is the replay card shown in feeds.
type Summary struct {
	ReplayID string `json:"replay_id"`
	Comments int    `json:"comments"`
}

// Summaries reads the comment counts shown on replay cards.
type Summaries struct {
	NS cfkv.Namespace
}

// For returns the card summary of a replay.
func (s Summaries) For(ctx context.Context, replayID string) (Summary, error) {
	page, err := s.NS.Client.KV.Namespaces.Keys.List(ctx, s.NS.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.NS.AccountID),
		Prefix:    cloudflare.F(commentPrefix(replayID)),
	})
	if err != nil {
		return Summary{}, err
	}
	return Summary{ReplayID: replayID, Comments: len(page.Result)}, nil
}
