//go:build !js

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/cloudflare/cloudflare-go"

	"catbird/internal/forum"
)

func runPurge(ctx context.Context, e env, args []string) error {
	fs := newFlags("purge")
	prefix := fs.String("prefix", "", "delete keys under this prefix in FORUM")
	maxPages := fs.Int("max-pages", 10, "stop after this many list pages")
	dryRun := fs.Bool("dry-run", false, "only print what would be deleted")
	member := fs.String("member", "", "sign this member out of every session")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *member != "" {
		return purgeMemberSessions(ctx, e, *member, *dryRun)
	}
	if *prefix == "" {
		return errors.New("-prefix or -member is required")
	}

	cursor := ""
	total := 0
	for page := 0; page < *maxPages; page++ {
		keys, next, err := e.forum.Page(ctx, *prefix, cursor, 1000)
		if err != nil {
			return err
		}
		names := make([]string, 0, len(keys))
		for _, k := range keys {
			names = append(names, k.Name)
		}
		if *dryRun {
			for _, n := range names {
				fmt.Println(n)
			}
		} else if len(names) > 0 {
			_, err := e.forum.API.DeleteWorkersKVEntries(ctx, e.forum.Account, cloudflare.DeleteWorkersKVEntriesParams{
				NamespaceID: e.forum.NamespaceID,
				Keys:        names,
			})
			if err != nil {
				return fmt.Errorf("page %d: %w", page, err)
			}
		}
		total += len(names)
		if next == "" {
			log.Printf("purge %q: %d keys", *prefix, total)
			return nil
		}
		cursor = next
	}
	log.Printf("purge %q: stopped after %d pages, %d keys; run again to continue", *prefix, *maxPages, total)
	return nil
}

func purgeMemberSessions(ctx context.Context, e env, memberID string, dryRun bool) error {
	prefix := forum.MemberSessionKey(memberID, "")
	keys, next, err := e.sess.Page(ctx, prefix, "", 1000)
	if err != nil {
		return err
	}
	if next != "" {
		log.Printf("member %s has more than %d sessions; only the first page is purged", memberID, len(keys))
	}
	for _, k := range keys {
		sid := strings.TrimPrefix(k.Name, prefix)
		if dryRun {
			fmt.Println(forum.SessionKey(sid))
			continue
		}
		if err := e.sess.Delete(ctx, forum.SessionKey(sid)); err != nil { // EXPECT kvsession
			return err
		}
	}
	return nil
}

func runExport(ctx context.Context, e env, args []string) error {
	fs := newFlags("export")
	prefix := fs.String("prefix", "", "export keys under this prefix")
	out := fs.String("out", "-", "output file (JSON lines)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f := os.Stdout
	if *out != "-" {
		var err error
		if f, err = os.Create(*out); err != nil {
			return err
		}
		defer f.Close()
	}
	bw := bufio.NewWriter(f)
	defer bw.Flush()
	enc := json.NewEncoder(bw)

	list := cloudflare.ListWorkersKVsParams{NamespaceID: e.forum.NamespaceID, Prefix: *prefix, Limit: 1000}
	n := 0
	for {
		resp, err := e.forum.API.ListWorkersKVKeys(ctx, e.forum.Account, list) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			val, err := e.forum.API.GetWorkersKV(ctx, e.forum.Account, cloudflare.GetWorkersKVParams{ // EXPECT kvlist
				NamespaceID: e.forum.NamespaceID,
				Key:         k.Name,
			})
			if err != nil {
				return fmt.Errorf("get %s: %w", k.Name, err)
			}
			rec := map[string]any{"key": k.Name, "value": string(val)}
			if k.Expiration > 0 {
				rec["expiration"] = k.Expiration
			}
			if k.Metadata != nil {
				rec["metadata"] = k.Metadata
			}
			if err := enc.Encode(rec); err != nil {
				return err
			}
			n++
		}
		if resp.Cursor == "" {
			break
		}
		list.Cursor = resp.Cursor
	}
	log.Printf("exported %d keys", n)
	return nil
}
