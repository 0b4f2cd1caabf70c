package runner

import (
	"cmp"
	"context"
	"encoding/json"
	"strings"

	"github.com/kereru-ci/piwakawaka/internal/kvstore"
	"github.com/kereru-ci/piwakawaka/internal/proto"
	"github.com/kereru-ci/piwakawaka/internal/queue"
)

// QueueView implements proto.QueueServiceServer over the queue keys.
type QueueView struct {
	KV *kvstore.Store
}

var _ proto.QueueServiceServer = (*QueueView)(nil)

const watchPageSize = 200

// Watch streams the jobs of a pool, at most MaxPages pages of them; the last
// event carries the cursor to continue from.
func (q *QueueView) Watch(req *proto.WatchRequest, stream proto.QueueService_WatchServer) error {
	ctx := stream.Context()
	maxPages := min(cmp.Or(int(req.GetMaxPages()), 3), 20)
	prefix := "queue/" + req.GetPool() + "/jobs/"
	cursor := req.GetCursor()

	for range maxPages {
		keys, next, err := q.KV.ListPage(ctx, prefix, cursor, watchPageSize)
		if err != nil {
			return err
		}
		for _, k := range keys {
			raw, err := q.KV.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			var job queue.Job
			if err := json.Unmarshal(raw, &job); err != nil {
				continue
			}
			state, _ := k.Metadata["state"].(string)
			ev := &proto.QueueEvent{JobId: job.ID, State: state, Repo: job.Repo, Cursor: next}
			if err := stream.Send(ev); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return nil
}

// Page returns one page of a pool's jobs from the key metadata alone, and
// the cursor of the following page.
func (q *QueueView) Page(ctx context.Context, pool, cursor string) ([]proto.QueueEvent, string, error) {
	prefix := "queue/" + pool + "/jobs/"
	keys, next, err := q.KV.ListPage(ctx, prefix, cursor, watchPageSize)
	if err != nil {
		return nil, "", err
	}
	events := make([]proto.QueueEvent, 0, len(keys))
	for _, k := range keys {
		state, _ := k.Metadata["state"].(string)
		repo, _ := k.Metadata["repo"].(string)
		events = append(events, proto.QueueEvent{JobId: strings.TrimPrefix(k.Name, prefix), State: state, Repo: repo})
	}
	return events, next, nil
}
