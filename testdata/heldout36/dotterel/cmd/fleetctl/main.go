// Command fleetctl is the operator CLI for the fleet KV namespace.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"github.com/fleetline/dotterel/internal/kvstore"
)

var errUsage = errors.New("usage")

type command struct {
	name string
	help string
	run  func(ctx context.Context, s *kvstore.Store, args []string) error
}

var commands = []command{
	{"get", "print a value", cmdGet},
	{"ls", "list keys under a prefix", cmdList},
	{"purge", "delete or expire keys", cmdPurge},
	{"seed", "write synthetic devices for load tests", cmdSeed},
	{"claim", "claim a device serial for a tenant", cmdClaim},
	{"reindex", "rewrite device index entries", cmdReindex},
	{"pin", "pin a firmware channel for a while", cmdPin},
	{"logout", "end console sessions by ID", cmdLogout},
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	s := kvstore.New(api, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("FLEET_KV_NAMESPACE"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for _, c := range commands {
		if c.name == os.Args[1] {
			if err := c.run(ctx, s, os.Args[2:]); err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", c.name, err)
				os.Exit(1)
			}
			return
		}
	}
	usage()
	os.Exit(2)
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: fleetctl <command> [flags]")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  %-8s %s\n", c.name, c.help)
	}
}

type getOpts struct{ key string }

func cmdGet(ctx context.Context, s *kvstore.Store, args []string) error {
	var o getOpts
	fs := flag.NewFlagSet("get", flag.ContinueOnError)
	fs.StringVar(&o.key, "key", "", "key to read")
	if err := fs.Parse(args); err != nil {
		return err
	}
	api, rc, ns := s.API()
	raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: o.key})
	if err != nil {
		return fmt.Errorf("get %s: %w", o.key, err)
	}
	if len(raw) > 0 { // EXPECT kvnull
		fmt.Println(string(raw))
		return nil
	}
	fmt.Println("(not found)")
	return nil
}

type listOpts struct {
	prefix string
	cursor string
}

func cmdList(ctx context.Context, s *kvstore.Store, args []string) error {
	var o listOpts
	fs := flag.NewFlagSet("ls", flag.ContinueOnError)
	fs.StringVar(&o.prefix, "prefix", "", "key prefix")
	fs.StringVar(&o.cursor, "cursor", "", "continue from cursor")
	if err := fs.Parse(args); err != nil {
		return err
	}
	keys, next, err := s.ListPage(ctx, o.prefix, o.cursor, 5000) // EXPECT kvlimits
	if err != nil {
		return err
	}
	for _, k := range keys {
		fmt.Println(k.Name)
	}
	if next != "" {
		fmt.Fprintf(os.Stderr, "more: -cursor %s\n", next)
	}
	return nil
}

type purgeOpts struct {
	op     string
	keys   string
	prefix string
}

func cmdPurge(ctx context.Context, s *kvstore.Store, args []string) error {
	var o purgeOpts
	fs := flag.NewFlagSet("purge", flag.ContinueOnError)
	fs.StringVar(&o.op, "op", "delete", "delete|expire")
	fs.StringVar(&o.keys, "keys", "", "comma-separated keys")
	fs.StringVar(&o.prefix, "prefix", "", "only keys under this prefix")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ops := map[string]func(*kvstore.Store, context.Context, string) error{
		"delete": (*kvstore.Store).Delete,
		"expire": func(s *kvstore.Store, ctx context.Context, key string) error {
			return s.PutUntil(ctx, key, []byte("expired"), time.Now().Add(2*time.Minute))
		},
	}
	op, ok := ops[o.op]
	if !ok {
		return fmt.Errorf("%w: unknown op %q", errUsage, o.op)
	}
	for _, k := range strings.Split(o.keys, ",") {
		if err := op(s, ctx, o.prefix+k); err != nil {
			return err
		}
	}
	return nil
}

// logoutUser ends every console session of a user listed by the auth service.
func logoutUser(ctx context.Context, s *kvstore.Store, sessionIDs []string) error {
	del := (*kvstore.Store).Delete
	for _, id := range sessionIDs {
		if err := del(s, ctx, "console/sess/"+id); err != nil { // EXPECT kvsession
			return err
		}
	}
	return nil
}

type seedOpts struct {
	tenant string
	blob   bool
}

func cmdSeed(ctx context.Context, s *kvstore.Store, args []string) error {
	var o seedOpts
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.StringVar(&o.tenant, "tenant", "loadtest", "tenant to seed")
	fs.BoolVar(&o.blob, "blob", false, "also write a large synthetic firmware image")
	if err := fs.Parse(args); err != nil {
		return err
	}
	api, rc, ns := s.API()
	pairs := make([]*cloudflare.WorkersKVPair, 0, 12000)
	for i := 0; i < 12000; i++ {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           fmt.Sprintf("t/%s/dev/sim-%05d/last", o.tenant, i),
			Value:         `{"firmware":"0.0.0-sim"}`,
			ExpirationTTL: 86400,
		})
	}
	if _, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: pairs}); err != nil { // EXPECT kvlimits
		return err
	}
	if o.blob {
		img := strings.Repeat("\xff", 32<<20)
		if err := s.Put(ctx, "t/"+o.tenant+"/fw/sim.bin", []byte(img), 24*time.Hour); err != nil { // EXPECT kvlimits
			return err
		}
	}
	entries := make([]kvstore.Entry, 0, 500)
	for i := 0; i < 500; i++ {
		entries = append(entries, kvstore.Entry{Key: fmt.Sprintf("t/%s/status/sim-%05d", o.tenant, i), Value: []byte(`{"ok":true}`), TTL: 6 * time.Hour})
	}
	return s.BulkPut(ctx, entries)
}

type claimOpts struct {
	serial string
	tenant string
}

func cmdClaim(ctx context.Context, s *kvstore.Store, args []string) error {
	var o claimOpts
	fs := flag.NewFlagSet("claim", flag.ContinueOnError)
	fs.StringVar(&o.serial, "serial", "", "device serial")
	fs.StringVar(&o.tenant, "tenant", "", "tenant")
	if err := fs.Parse(args); err != nil {
		return err
	}
	key := "claim/" + strings.ToUpper(o.serial)
	owner, found, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	if found {
		return fmt.Errorf("serial %s already claimed by %s", o.serial, owner)
	}
	return s.Put(ctx, key, []byte(o.tenant), 0) // EXPECT kvrace
}

type reindexOpts struct {
	tenant  string
	devices string
	version string
}

func cmdReindex(ctx context.Context, s *kvstore.Store, args []string) error {
	var o reindexOpts
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	fs.StringVar(&o.tenant, "tenant", "", "tenant")
	fs.StringVar(&o.devices, "devices", "", "comma-separated device IDs")
	fs.StringVar(&o.version, "version", "v2", "index version")
	if err := fs.Parse(args); err != nil {
		return err
	}
	put := (*kvstore.Store).Put
	ts := s.WithPrefix("t/" + o.tenant + "/")
	ids := strings.Split(o.devices, ",")
	sort.Strings(ids)
	for _, id := range ids {
		if err := put(ts, ctx, "idx/"+id, []byte(o.version), 0); err != nil {
			return err
		}
		if err := put(ts, ctx, "idx/_version", []byte(o.version+":"+id), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

type pinOpts struct {
	channel string
	release string
	hours   int
}

func cmdPin(ctx context.Context, s *kvstore.Store, args []string) error {
	var o pinOpts
	fs := flag.NewFlagSet("pin", flag.ContinueOnError)
	fs.StringVar(&o.channel, "channel", "stable", "channel")
	fs.StringVar(&o.release, "release", "", "release")
	fs.IntVar(&o.hours, "hours", 4, "pin duration in hours")
	if err := fs.Parse(args); err != nil {
		return err
	}
	api, rc, ns := s.API()
	pairs := []*cloudflare.WorkersKVPair{
		{Key: "pin/" + o.channel, Value: o.release, ExpirationTTL: o.hours * 3600},
		{Key: "pin/" + o.channel + "/audit", Value: os.Getenv("USER"), ExpirationTTL: int(15 * time.Minute)}, // EXPECT kvttl
	}
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: pairs})
	return err
}

func cmdLogout(ctx context.Context, s *kvstore.Store, args []string) error {
	fs := flag.NewFlagSet("logout", flag.ContinueOnError)
	ids := fs.String("sessions", "", "comma-separated session IDs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return logoutUser(ctx, s, strings.Split(*ids, ","))
}
