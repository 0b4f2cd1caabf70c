// Command jobs runs the backend's scheduled work: leaderboard snapshots,
// moderation triage and cleanup, log compaction and cache warming. The
// scheduler starts it once per job and period, e.g. `jobs -job snapshot`.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"weka/internal/activity"
	"weka/internal/kvstore"
	"weka/internal/moderation"
	"weka/internal/rep"
)

func main() {
	job := flag.String("job", "", "job to run: snapshot, triage, purge, compact, warm")
	warmTTL := flag.Duration("warm-ttl", 2*time.Hour, "lifetime of warmed entries")
	keep := flag.Uint64("keep", 4, "log segments to keep per question")
	flag.Parse()

	kv, err := kvstore.New(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"))
	if err != nil {
		log.Fatal(err)
	}
	kvstore.NSQuestions = kvstore.Namespace(os.Getenv("KV_QUESTIONS"))
	kvstore.NSMetrics = kvstore.Namespace(os.Getenv("KV_METRICS"))
	kvstore.NSMod = kvstore.Namespace(os.Getenv("KV_MOD"))
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	now := time.Now()

	q := &moderation.Queue{KV: kv}
	switch *job {
	case "snapshot":
		err = (&rep.Service{KV: kv, DB: db}).SnapshotWeek(ctx, now)
	case "triage":
		var byPost map[uint64][]string
		if byPost, err = q.Triage(ctx); err == nil {
			err = q.Rescore(ctx, byPost)
		}
	case "purge":
		var resolved map[uint64]bool
		if resolved, err = resolvedPosts(ctx, db); err == nil {
			var n int
			n, err = q.PurgeResolved(ctx, resolved)
			log.Printf("purged %d reports", n)
		}
	case "compact":
		err = compactLogs(ctx, kv, db, *keep)
	case "warm":
		err = warm(ctx, kv, db, *warmTTL)
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		log.Fatalf("%s: %v", *job, err)
	}
	stamp, _ := json.Marshal(map[string]any{"at": now.Unix(), "took_ms": time.Since(now).Milliseconds()})
	if err := kv.PutTTL(ctx, kvstore.NSMetrics, "jobs:last-run:"+*job, stamp, 7*24*time.Hour); err != nil {
		log.Printf("record run: %v", err)
	}
}

func resolvedPosts(ctx context.Context, db *sql.DB) (map[uint64]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT post_id FROM moderation_actions WHERE resolved_at > now() - interval '1 day'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[uint64]bool{}
	for rows.Next() {
		var id uint64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// compactLogs archives old log segments of the questions active yesterday.
func compactLogs(ctx context.Context, kv *kvstore.Client, db *sql.DB, keep uint64) error {
	rows, err := db.QueryContext(ctx, `SELECT id FROM questions WHERE last_activity_at > now() - interval '1 day'`)
	if err != nil {
		return err
	}
	var ids []uint64
	for rows.Next() {
		var id uint64
		if rows.Scan(&id) == nil {
			ids = append(ids, id)
		}
	}
	rows.Close()
	store := &activity.Store{KV: kv}
	for i, id := range ids {
		if err := store.Compact(ctx, id, keep); err != nil {
			return fmt.Errorf("question %d: %w", id, err)
		}
		progress := []byte(fmt.Sprintf(`{"done":%d,"of":%d}`, i+1, len(ids)))
		if err := kv.PutTTL(ctx, kvstore.NSMetrics, "jobs:compact:progress", progress, time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// warm copies the answer totals and rendered summaries of the busiest
// questions into KV in one bulk write.
func warm(ctx context.Context, kv *kvstore.Client, db *sql.DB, ttl time.Duration) error {
	rows, err := db.QueryContext(ctx, `SELECT q.id, q.title, count(a.id) FROM questions q LEFT JOIN answers a ON a.question_id = q.id GROUP BY q.id ORDER BY q.hot_score DESC LIMIT 500`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var pairs []*cloudflare.WorkersKVPair
	for rows.Next() {
		var id uint64
		var title string
		var answers int
		if err := rows.Scan(&id, &title, &answers); err != nil {
			return err
		}
		summary, _ := json.Marshal(map[string]any{"id": id, "title": title})
		pairs = append(pairs,
			&cloudflare.WorkersKVPair{Key: fmt.Sprintf("summary:q:%d", id), Value: string(summary), ExpirationTTL: int(ttl.Seconds())},
			&cloudflare.WorkersKVPair{Key: fmt.Sprintf("answers-count:q:%d", id), Value: strconv.Itoa(answers), ExpirationTTL: int(ttl.Seconds())}, // DEBATABLE kvcounter
		)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return kv.BulkPut(ctx, kvstore.NSQuestions, pairs)
}
