//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"log"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"catbird/internal/edgekv"
	"catbird/internal/forum"
	"catbird/internal/votes"
)

// Cron triggers configured in wrangler.toml.
const (
	cronEveryTenMinutes = "*/10 * * * *"
	cronNightly         = "15 3 * * *"
)

func runScheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	forumKV, err := edgekv.Open(forumBinding)
	if err != nil {
		return err
	}
	var errs []error
	switch ev.Cron {
	case cronEveryTenMinutes:
		stale, err := sweepPending(forumKV, ev.ScheduledTime)
		if err != nil {
			errs = append(errs, err)
		} else if len(stale) > 0 {
			log.Printf("cron: %d posts still pending: %v", len(stale), stale[:min(len(stale), 20)])
		}
		errs = append(errs, indexLocks(forumKV))
	case cronNightly:
		errs = append(errs, rebuildCategories(forumKV))
		errs = append(errs, recountHotPosts(forumKV))
	}
	tick := map[string]any{"cron": ev.Cron, "at": ev.ScheduledTime.Unix()}
	errs = append(errs, forumKV.PutJSON("cron:last-run:"+strings.ReplaceAll(ev.Cron, " ", "_"), tick, 0))
	for _, err := range errs {
		if err != nil {
			log.Printf("cron %q: %v", ev.Cron, err)
		}
	}
	return nil
}

// sweepPending finds posts that have waited for the origin for more than a
// few hours. Pending posts are written with a 24 h TTL.
func sweepPending(forumKV edgekv.Bucket, now time.Time) ([]string, error) {
	const prefix = "pending:post:"
	horizon := now.Add(20 * time.Hour).Unix()
	opts := &kv.ListOptions{Prefix: prefix, Limit: 1000}
	var stale []string
	for page := 0; page < 20; page++ {
		res, err := forumKV.NS().List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 && int64(k.Expiration) < horizon {
				stale = append(stale, strings.TrimPrefix(k.Name, prefix))
			}
		}
		opts.Cursor = res.Cursor
	}
	return stale, nil
}

// indexLocks publishes the IDs of locked threads for the thread list view.
func indexLocks(forumKV edgekv.Bucket) error {
	const prefix = "lock:thread:"
	opts := &kv.ListOptions{Prefix: prefix}
	var ids []string
	for {
		res, err := forumKV.NS().List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, prefix))
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor}
	}
	slices.Sort(ids)
	return forumKV.PutJSON("index:locked", ids, 30*time.Minute)
}

// rebuildCategories rebuilds the top level of the category tree from the
// category keys the backend maintains. The root of the tree lives under ".",
// like a directory listing.
func rebuildCategories(forumKV edgekv.Bucket) error {
	res, err := forumKV.NS().List(&kv.ListOptions{ // EXPECT kvlist
		Prefix: "cat:",
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	top := map[string]bool{}
	for _, k := range res.Keys {
		path := strings.TrimPrefix(k.Name, "cat:")
		first, _, _ := strings.Cut(path, "/")
		top[first] = true
	}
	root := categoryNode{Path: "", Title: "All categories"}
	for name := range top {
		root.Children = append(root.Children, name)
	}
	slices.Sort(root.Children)
	raw, err := json.Marshal(root)
	if err != nil {
		return err
	}
	return forumKV.NS().PutString(".", string(raw), nil) // EXPECT kvlimits
}

// recountHotPosts repairs the scores of posts that were voted on today,
// within a fixed time budget.
func recountHotPosts(forumKV edgekv.Bucket) error {
	deadline := time.Now().Add(20 * time.Second)
	v := votes.Votes{B: forumKV}
	_, err := forumKV.Scan("hot:post:", 3, func(k *kv.ListKey) error {
		if time.Now().After(deadline) {
			return nil
		}
		_, err := v.Recount(strings.TrimPrefix(k.Name, "hot:post:"))
		return err
	})
	return err
}

type postEvent struct {
	Type     string      `json:"type"`
	ThreadID string      `json:"thread_id"`
	PostID   string      `json:"post_id"`
	Post     *forum.Post `json:"post,omitempty"`
	Reason   string      `json:"reason,omitempty"`
}

// consumePostEvents handles the origin's post-events queue.
func consumePostEvents(batch *queues.MessageBatch) error {
	forumKV, err := edgekv.Open(forumBinding)
	if err != nil {
		batch.RetryAll()
		return err
	}
	for _, msg := range batch.Messages {
		body, err := msg.BytesBody()
		if err != nil {
			msg.Ack()
			continue
		}
		var ev postEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			log.Printf("queue %s: bad message %s: %v", batch.Queue, msg.ID, err)
			msg.Ack()
			continue
		}
		switch ev.Type {
		case "post.published":
			err = forumKV.Delete(forum.ThreadKey(ev.ThreadID))
			if err == nil {
				err = forumKV.Delete("pending:post:" + ev.PostID)
			}
			if err == nil && ev.Post != nil {
				err = forumKV.PutJSON(forum.PostKey(ev.ThreadID, ev.PostID), ev.Post, 24*time.Hour)
			}
		case "post.reported":
			err = forumKV.NS().PutString("modqueue:head", string(body), nil) // EXPECT kvhotkey
		case "post.voted":
			err = forumKV.Put("hot:post:"+ev.PostID, "1", 26*time.Hour)
		}
		if err != nil {
			log.Printf("queue %s: %s: %v", batch.Queue, msg.ID, err)
			msg.Retry()
			continue
		}
		msg.Ack()
	}
	return nil
}
