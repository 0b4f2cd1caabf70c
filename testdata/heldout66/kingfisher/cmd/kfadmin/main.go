// Command kfadmin is the on-call tool for the notification queues and the
// KV namespace behind them.
//
//	kfadmin archived -queue default
//	kfadmin replay -queue default
//	kfadmin maintenance -on
//	kfadmin dump -prefix order:
//	kfadmin purge-throttles -pages 20
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kingfisher-ops/kingfisher/internal/kvstore"
)

type env struct {
	ctx       context.Context
	store     *kvstore.Store
	inspector *asynq.Inspector
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kfadmin <archived|replay|maintenance|dump|purge-throttles> [flags]")
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	store, err := kvstore.FromEnv("KV_ORDERS_NAMESPACE_ID", log)
	if err != nil {
		log.Error("config", "err", err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e := env{ctx: ctx, store: store, inspector: asynq.NewInspector(asynq.RedisClientOpt{Addr: os.Getenv("REDIS_ADDR")})}
	defer e.inspector.Close()

	cmds := map[string]func(env, []string) error{
		"archived":        cmdArchived,
		"replay":          cmdReplay,
		"maintenance":     cmdMaintenance,
		"dump":            cmdDump,
		"purge-throttles": cmdPurgeThrottles,
	}
	cmd, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
	if err := cmd(e, os.Args[2:]); err != nil {
		log.Error(os.Args[1], "err", err)
		os.Exit(1)
	}
}

func cmdArchived(e env, args []string) error {
	fs := flag.NewFlagSet("archived", flag.ExitOnError)
	queue := fs.String("queue", "default", "queue name")
	size := fs.Int("n", 100, "tasks to show")
	_ = fs.Parse(args)

	tasks, err := e.inspector.ListArchivedTasks(*queue, asynq.PageSize(*size))
	if err != nil {
		return err
	}
	entries := make([]kvstore.Entry, 0, len(tasks))
	for _, t := range tasks {
		fmt.Printf("%s %s retried=%d last_err=%q\n", t.ID, t.Type, t.Retried, t.LastErr)
		rec, _ := json.Marshal(map[string]any{"type": t.Type, "payload": string(t.Payload), "last_err": t.LastErr, "failed_at": t.LastFailedAt})
		entries = append(entries, kvstore.Entry{
			Key:      fmt.Sprintf("admin:archived:%s:%s", *queue, t.ID),
			Value:    rec,
			TTL:      7 * 24 * time.Hour,
			Metadata: map[string]string{"type": t.Type},
		})
	}
	// The status page lists these with their metadata.
	return e.store.PutMany(e.ctx, entries)
}

func cmdReplay(e env, args []string) error {
	fs := flag.NewFlagSet("replay", flag.ExitOnError)
	queue := fs.String("queue", "default", "queue name")
	typ := fs.String("type", "", "only tasks of this type")
	_ = fs.Parse(args)

	tasks, err := e.inspector.ListArchivedTasks(*queue, asynq.PageSize(500))
	if err != nil {
		return err
	}
	replayed := 0
	for _, t := range tasks {
		if *typ != "" && t.Type != *typ {
			continue
		}
		if err := e.inspector.RunTask(*queue, t.ID); err != nil {
			return fmt.Errorf("run %s: %w", t.ID, err)
		}
		replayed++
		mark := fmt.Sprintf("%s %s by %s", time.Now().UTC().Format(time.RFC3339), t.ID, os.Getenv("USER"))
		if err := e.store.Put(e.ctx, "admin:last-replayed", []byte(mark), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	fmt.Printf("replayed %d tasks from %s\n", replayed, *queue)
	return nil
}

func cmdMaintenance(e env, args []string) error {
	fs := flag.NewFlagSet("maintenance", flag.ExitOnError)
	on := fs.Bool("on", false, "pause all queues")
	off := fs.Bool("off", false, "resume all queues")
	until := fs.String("until", "", "RFC 3339 end of the window; the banner disappears then")
	_ = fs.Parse(args)
	if *on == *off {
		return fmt.Errorf("pass exactly one of -on and -off")
	}
	var ttl time.Duration
	if *until != "" {
		end, err := time.Parse(time.RFC3339, *until)
		if err != nil {
			return fmt.Errorf("-until: %w", err)
		}
		ttl = max(time.Until(end), kvstore.MinTTL)
	}

	queues, err := e.inspector.Queues()
	if err != nil {
		return err
	}
	var done []string
	for _, q := range queues {
		if *on {
			err = e.inspector.PauseQueue(q)
		} else {
			err = e.inspector.UnpauseQueue(q)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
		done = append(done, q)
		state, _ := json.Marshal(map[string]any{"paused": *on, "queues": done, "at": time.Now().UTC()})
		if err := e.store.Put(e.ctx, "admin:maintenance", state, ttl); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

func cmdDump(e env, args []string) error {
	fs := flag.NewFlagSet("dump", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix")
	out := fs.String("o", "", "write key names to this file instead of stdout")
	_ = fs.Parse(args)

	page, err := e.store.ListPage(e.ctx, *prefix, "", 1000) // EXPECT kvlist
	if err != nil {
		return err
	}
	names := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		names = append(names, k.Name)
	}
	fmt.Fprintf(os.Stderr, "%d keys under %q\n", len(names), *prefix)
	text := strings.Join(names, "\n") + "\n"
	if *out == "" {
		_, err = os.Stdout.WriteString(text)
		return err
	}
	return os.WriteFile(*out, []byte(text), 0o644)
}

func cmdPurgeThrottles(e env, args []string) error {
	fs := flag.NewFlagSet("purge-throttles", flag.ExitOnError)
	pages := fs.Int("pages", 20, "most pages to walk")
	customer := fs.String("customer", "", "only this customer's throttles")
	_ = fs.Parse(args)

	prefix := "throttle:"
	if *customer != "" {
		prefix += *customer + ":"
	}
	cursor, purged := "", 0
	for range *pages {
		page, err := e.store.ListPage(e.ctx, prefix, cursor, 5000) // EXPECT kvlimits
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(page.Keys))
		for _, k := range page.Keys {
			keys = append(keys, k.Name)
		}
		if err := e.store.DeleteMany(e.ctx, keys); err != nil {
			return err
		}
		purged += len(keys)
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	fmt.Printf("purged %d throttle keys\n", purged)
	return nil
}
