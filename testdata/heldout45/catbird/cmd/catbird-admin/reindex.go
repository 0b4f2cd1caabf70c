//go:build !js

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"catbird/internal/forum"
)

func runReindex(ctx context.Context, e env, args []string) error {
	fs := newFlags("reindex")
	since := fs.Duration("since", 30*24*time.Hour, "rebuild threads active within this window")
	batch := fs.Int("batch", 200, "threads per database page")
	if err := fs.Parse(args); err != nil {
		return err
	}
	svc := e.threads()
	progress := cloudflare.WriteWorkersKVEntryParams{NamespaceID: e.forum.NamespaceID, Key: "reindex:progress"}
	cutoff := time.Now().Add(-*since)
	after := ""
	done := 0
	for {
		rows, err := e.db.QueryContext(ctx,
			`SELECT id FROM threads WHERE last_post_at >= $1 AND id > $2 ORDER BY id LIMIT $3`,
			cutoff, after, *batch)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if len(ids) == 0 {
			break
		}
		for _, id := range ids {
			if err := svc.Refresh(ctx, id); err != nil {
				log.Printf("reindex %s: %v", id, err)
				continue
			}
			done++
			progress.Value = []byte(fmt.Sprintf(`{"last":%q,"done":%d}`, id, done))
			if _, err := e.forum.API.WriteWorkersKVEntry(ctx, e.forum.Account, progress); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		after = ids[len(ids)-1]
	}
	log.Printf("reindexed %d threads", done)
	return nil
}

// forumRules is shown in every category's header.
const forumRules = `Be kind. Critique ideas, not people; personal attacks, slurs and harassment are removed without warning. ` +
	`Stay on topic: each category has a purpose, so post in the one that fits and use the search before opening a new thread. ` +
	`No spam, no referral links, no self-promotion outside the Showcase category, and no more than one thread per project per month. ` +
	`Do not post other people's private information, including e-mail addresses, phone numbers, addresses or screenshots of private messages. ` +
	`Mark spoilers for games, films and books released in the last six months. ` +
	`Use descriptive titles: "Help!" or "Question" will be renamed by a moderator. ` +
	`Do not bump your own thread more than once per day; edits are fine. ` +
	`Report posts that break these rules instead of replying to them; moderators act on reports in the order they arrive. ` +
	`Moderator decisions can be appealed by e-mail to appeals@catbird.community within fourteen days; do not relitigate them in public threads. ` +
	`Accounts younger than a week can post a limited number of replies per hour. ` +
	`AI-generated posts must say so in the first line. ` +
	`By posting you license your contribution under CC BY-SA 4.0.`

type categoryRow struct {
	Path  string
	Title string
	Order int
}

func runBackfill(ctx context.Context, e env, args []string) error {
	fs := newFlags("backfill")
	what := fs.String("what", "posts", "posts or categories")
	ttl := fs.Duration("ttl", 72*time.Hour, "expiration of backfilled post entries")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch *what {
	case "posts":
		return backfillPosts(ctx, e, *ttl)
	case "categories":
		return backfillCategories(ctx, e)
	}
	return fmt.Errorf("unknown -what %q", *what)
}

func backfillPosts(ctx context.Context, e env, ttl time.Duration) error {
	rows, err := e.db.QueryContext(ctx,
		`SELECT id, thread_id, author_id, body, created_at, hidden FROM posts WHERE created_at > now() - interval '90 days'`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var pairs []*cloudflare.WorkersKVPair
	for rows.Next() {
		var p forum.Post
		if err := rows.Scan(&p.ID, &p.ThreadID, &p.AuthorID, &p.Body, &p.CreatedAt, &p.Hidden); err != nil {
			return err
		}
		raw, err := json.Marshal(p)
		if err != nil {
			return err
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           forum.PostKey(p.ThreadID, p.ID),
			Value:         string(raw),
			ExpirationTTL: int(ttl), // EXPECT kvttl
			Metadata:      map[string]any{"author": p.AuthorID, "hidden": p.Hidden},
		})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	written := 0
	for chunk := range slices.Chunk(pairs, 20_000) { // EXPECT kvlimits
		_, err := e.forum.API.WriteWorkersKVEntries(ctx, e.forum.Account, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: e.forum.NamespaceID,
			KVs:         chunk,
		})
		if err != nil {
			return fmt.Errorf("after %d: %w", written, err)
		}
		written += len(chunk)
	}
	log.Printf("backfilled %d posts", written)
	return nil
}

func backfillCategories(ctx context.Context, e env) error {
	rows, err := e.db.QueryContext(ctx, `SELECT path, title, sort_order FROM categories ORDER BY path`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var pairs []*cloudflare.WorkersKVPair
	for rows.Next() {
		var c categoryRow
		if err := rows.Scan(&c.Path, &c.Title, &c.Order); err != nil {
			return err
		}
		node, _ := json.Marshal(map[string]any{"path": c.Path, "title": c.Title})
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:      forum.CategoryKey(c.Path),
			Value:    string(node),
			Metadata: map[string]any{"title": c.Title, "order": strconv.Itoa(c.Order), "rules": forumRules}, // EXPECT kvlimits
		})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	n, err := e.forum.PutMany(ctx, pairs)
	log.Printf("backfilled %d categories", n)
	return err
}
