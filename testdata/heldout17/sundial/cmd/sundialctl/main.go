// Command sundialctl administers sundial's KV namespace through the
// Cloudflare REST API.
//
//	sundialctl [flags] <command> [args]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strconv"
	"time"

	"example.com/sundial/internal/cfapi"
	"example.com/sundial/internal/keys"
	"example.com/sundial/internal/quota"
	"example.com/sundial/internal/storage"
	"example.com/sundial/internal/venue"
)

type ctl struct {
	api    *cfapi.Client
	out    io.Writer
	tenant string
}

// commands maps each sub-command to its implementation.
var commands = map[string]func(*ctl, context.Context, []string) error{
	"put":     (*ctl).put,
	"rename":  (*ctl).renameVenue,
	"grant":   (*ctl).grant,
	"export":  (*ctl).export,
	"peek":    (*ctl).peek,
	"cards":   (*ctl).cards,
	"publish": (*ctl).publishVenue,
	"import":  (*ctl).importFile,
}

func main() {
	c := &ctl{api: &cfapi.Client{HTTP: &http.Client{Timeout: 30 * time.Second}}, out: os.Stdout}
	flag.StringVar(&c.api.Account, "account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account id")
	flag.StringVar(&c.api.Namespace, "namespace", os.Getenv("SUNDIAL_KV_ID"), "KV namespace id")
	flag.StringVar(&c.tenant, "tenant-prefix", "t:", "prefix of tenant keys")
	flag.Parse()
	c.api.Token = os.Getenv("CF_API_TOKEN")
	if flag.NArg() == 0 || commands[flag.Arg(0)] == nil {
		names := make([]string, 0, len(commands))
		for n := range commands {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: sundialctl [flags] %v [args]\n", names)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := commands[flag.Arg(0)](c, ctx, flag.Args()[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sundialctl:", err)
		os.Exit(1)
	}
}

func (c *ctl) put(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("put", flag.ContinueOnError)
	ttl := fs.Duration("ttl", 0, "expire after this long (at least 1m)")
	at := fs.String("expire-at", "", "expire at this RFC 3339 time")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return errors.New("put [-ttl d | -expire-at t] <key> <file|->")
	}
	var p cfapi.PutParams
	if *ttl > 0 {
		p.ExpirationTTL = int(max(*ttl, time.Minute).Seconds())
	}
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return err
		}
		p.Expiration = t.Unix()
	}
	src := io.Reader(os.Stdin)
	if name := fs.Arg(1); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		src = f
	}
	v, err := io.ReadAll(src)
	if err != nil {
		return err
	}
	return c.api.PutValue(ctx, fs.Arg(0), v, p)
}

// renameVenue changes the display name of a venue's public record.
func (c *ctl) renameVenue(ctx context.Context, args []string) error {
	if len(args) != 2 {
		return errors.New("rename <slug> <name>")
	}
	k := keys.Venue(args[0]).String()
	raw, _ := c.api.GetValue(ctx, k) // EXPECT kvnull
	var v venue.Venue
	_ = json.Unmarshal(raw, &v)
	v.Name, v.UpdatedAt = args[1], time.Now().UTC()
	b, _ := json.Marshal(v)
	return c.api.PutValue(ctx, k, b, cfapi.PutParams{}) // EXPECT kvrace
}

// grant gives a tenant extra tickets this month by lowering its usage.
func (c *ctl) grant(ctx context.Context, args []string) error {
	if len(args) != 2 {
		return errors.New("grant <tenant> <tickets>")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	k := c.tenant + args[0] + ":" + keys.Quota(args[0], time.Now()).String()
	raw, err := c.api.GetValue(ctx, k)
	if errors.Is(err, cfapi.ErrNotFound) {
		return fmt.Errorf("tenant %s has no usage this month", args[0])
	}
	if err != nil {
		return err
	}
	var u quota.Usage
	if err := json.Unmarshal(raw, &u); err != nil {
		return err
	}
	u.Tickets = max(u.Tickets-n, 0)
	b, _ := json.Marshal(u)
	return c.api.PutValue(ctx, k, b, cfapi.PutParams{Expiration: u.Period.AddDate(0, 4, 0).Unix()}) // EXPECT kvcounter
}

// export writes every value under a prefix as JSON lines.
func (c *ctl) export(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	maxPages := fs.Int("max-pages", 10, "stop after this many pages of keys")
	if err := fs.Parse(args); err != nil {
		return err
	}
	enc := json.NewEncoder(c.out)
	p := cfapi.ListParams{Prefix: fs.Arg(0)}
	for range *maxPages {
		page, err := c.api.ListKeys(ctx, p)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			v, err := c.api.GetValue(ctx, k.Name) // EXPECT kvlist
			if errors.Is(err, cfapi.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			enc.Encode(map[string]string{"key": k.Name, "value": string(v)})
		}
		if page.Cursor == "" {
			return nil
		}
		p.Cursor = page.Cursor
	}
	return fmt.Errorf("stopped after %d pages; raise -max-pages", *maxPages)
}

// peek prints a few key names under a prefix.
func (c *ctl) peek(ctx context.Context, args []string) error {
	prefix := ""
	if len(args) > 0 {
		prefix = args[0]
	}
	page, err := c.api.ListKeys(ctx, cfapi.ListParams{Prefix: prefix, Limit: 5}) // EXPECT kvlimits
	if err != nil {
		return err
	}
	for _, k := range page.Keys {
		fmt.Fprintln(c.out, k.Name)
	}
	if page.Cursor != "" {
		fmt.Fprintln(c.out, "…")
	}
	return nil
}

// cardBatch is how many venue cards one bulk read fetches.
const cardBatch = 250

// cards prints the public records of the given venues.
func (c *ctl) cards(ctx context.Context, slugs []string) error {
	names := make([]string, len(slugs))
	for i, s := range slugs {
		names[i] = keys.Venue(s).String()
	}
	for chunk := range slices.Chunk(names, cardBatch) {
		values, err := c.api.BulkGet(ctx, chunk) // EXPECT kvlimits
		if err != nil {
			return err
		}
		for _, n := range chunk {
			if v := values[n]; v != nil {
				fmt.Fprintln(c.out, *v)
			}
		}
	}
	return nil
}

// accessibilityNotice is attached to every venue record until the venue
// supplies its own statement.
const accessibilityNotice = "This venue has not yet published a detailed access statement. " +
	"Step-free access, accessible toilets, hearing loops, assistance dog facilities, quiet rooms and " +
	"companion tickets may be available: please contact the box office before booking so that staff can " +
	"confirm the arrangements for your visit and reserve suitable seating. Where a performance includes " +
	"strobe lighting, haze, smoke, pyrotechnics, loud noises, gunshots or other effects, the organiser " +
	"will describe them on the event page. Relaxed, captioned, audio-described and BSL-interpreted " +
	"performances are listed with their own dates. If you need a personal assistant to attend with you, " +
	"a free companion ticket can be issued on request with proof of eligibility such as an Access Card, " +
	"a PIP or DLA award letter, or a letter from a medical professional. Seats with extra legroom, aisle " +
	"seats close to the exits, and seats with a clear view of the captioning screen can be requested too. " +
	"Wheelchair spaces are held back until the week of the performance. Sundial passes are " +
	"accepted on screen at the door; printed passes and large-print copies are available from the venue."

// publishVenue uploads a venue record from a file, with its directory
// details as key metadata.
func (c *ctl) publishVenue(ctx context.Context, args []string) error {
	if len(args) != 2 {
		return errors.New("publish <slug> <venue.json>")
	}
	v, err := os.ReadFile(args[1])
	if err != nil {
		return err
	}
	return c.api.PutValue(ctx, keys.Venue(args[0]).String(), v, cfapi.PutParams{
		Metadata: map[string]string{"slug": args[0], "access": accessibilityNotice}, // EXPECT kvlimits
	})
}

// importChunk is how many pairs go into one bulk request.
const importChunk = 50_000

// importFile loads a JSON-lines dump of {"key":..., "value":...} pairs.
func (c *ctl) importFile(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("import <file.ndjson>")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	var entries []storage.Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 32<<20)
	for sc.Scan() {
		var line struct{ Key, Value string }
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return err
		}
		entries = append(entries, storage.Entry{Key: line.Key, Value: []byte(line.Value)})
	}
	if err := sc.Err(); err != nil {
		return err
	}
	var st storage.Store = cfapi.Store{Client: c.api}
	bw, ok := storage.AsBulkWriter(st)
	if !ok {
		return errors.New("store cannot bulk write")
	}
	for chunk := range slices.Chunk(entries, importChunk) {
		if err := bw.PutMany(ctx, chunk); err != nil { // EXPECT kvlimits
			return err
		}
		fmt.Fprintf(c.out, "imported %d pairs\n", len(chunk))
	}
	return nil
}
