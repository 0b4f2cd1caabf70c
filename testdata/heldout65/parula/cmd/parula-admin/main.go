// Command parula-admin is the operators' tool for the Parula KV namespace:
// exports, announcement banners, bulk imports and load-test seeding.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/parula-labs/parula/internal/kvstore"
)

// announcementText is the banner shown on every dashboard page.
const announcementText = `Scheduled maintenance: on Saturday between 02:00 and 04:00 UTC ` +
	`Parula will be read-only while we move workspace data to a new region. ` +
	`Standup reminders that fall inside the window will be sent as soon as ` +
	`maintenance ends, and answers typed into open modals are kept as drafts. ` +
	`Slash commands will reply with a short notice instead of running. ` +
	`Polls stay visible but votes cannot be changed. Kudos given with the ` +
	`reaction emoji during the window are counted afterwards from the channel ` +
	`history, so nobody loses points. Questions? Write to support@parula.example.`

const bulkMax = 10_000

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: parula-admin export|announce|import|seed|touch-teams [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix")
	file := fs.String("file", "", "input file, one JSON pair per line")
	team := fs.String("team", "", "team ID")
	_ = fs.Parse(os.Args[2:])

	kv, err := kvstore.Open(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("PARULA_KV_NAMESPACE"), "parula-state")
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	switch os.Args[1] {
	case "export":
		err = export(ctx, kv, *prefix)
	case "announce":
		err = kv.Put(ctx, "announcement:"+announcementText, []byte(time.Now().UTC().Format(time.RFC3339))) // EXPECT kvlimits
	case "import":
		err = importFile(ctx, kv, *file)
	case "seed":
		err = seed(ctx, kv, *team)
	case "touch-teams":
		err = touchTeams(ctx, kv, fs.Args())
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

// export prints one page of keys under prefix, with the cursor for the next.
func export(ctx context.Context, kv *kvstore.Namespace, prefix string) error {
	api, rc, ns := kv.Raw()
	resp, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: ns,
		Prefix:      prefix,
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	for _, k := range resp.Result {
		_ = enc.Encode(k)
	}
	if resp.Cursor != "" {
		fmt.Fprintf(os.Stderr, "more keys; continue with -cursor %s\n", resp.Cursor)
	}
	return nil
}

// importFile bulk-writes pairs from a JSON-lines file, 10,000 per request.
func importFile(ctx context.Context, kv *kvstore.Namespace, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var batch []*cloudflare.WorkersKVPair
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 32<<20)
	for sc.Scan() {
		var p cloudflare.WorkersKVPair
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return err
		}
		batch = append(batch, &p)
		if len(batch) == bulkMax {
			if err := kv.PutMany(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return kv.PutMany(ctx, batch)
}

// seed fills a staging namespace with synthetic standups for load tests.
func seed(ctx context.Context, kv *kvstore.Namespace, team string) error {
	const standups = 12_000
	pairs := make([]*cloudflare.WorkersKVPair, 0, standups)
	for i := range standups {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           fmt.Sprintf("standup:%s:load-%05d", team, i),
			Value:         `{"at":"09:30","questions":["?"]}`,
			ExpirationTTL: int((48 * time.Hour).Seconds()),
		})
	}
	api, rc, ns := kv.Raw()
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: pairs}) // EXPECT kvlimits
	return err
}

// touchTeams marks each team as migrated and records progress for the
// migration dashboard.
func touchTeams(ctx context.Context, kv *kvstore.Namespace, teams []string) error {
	for i, team := range teams {
		if err := kv.Put(ctx, "migrated:"+team, []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
			return err
		}
		if err := kv.Put(ctx, "migration:progress", []byte(strconv.Itoa(i+1)+"/"+strconv.Itoa(len(teams)))); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
