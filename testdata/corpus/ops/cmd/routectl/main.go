// Command routectl edits the path routing table the edge router worker reads
// from KV ("routes:<zone>").
//
//	routectl -zone shop.example.com show
//	routectl -zone shop.example.com add /blog https://blog-origin.internal
//	routectl -zone shop.example.com rm /legacy
//	routectl -zone shop.example.com load routes.json
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/ops/internal/cfclient"
	"example.com/ops/internal/config"
)

// RouteTable maps path prefixes to origins.
type RouteTable struct {
	Routes    map[string]string `json:"routes"`
	UpdatedAt time.Time         `json:"updated_at"`
	Revision  string            `json:"revision,omitempty"`
}

type op struct {
	kind   string // add, rm
	prefix string
	origin string
}

func routesKey(zone string) string { return "routes:" + zone }

func load(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, zone string) (*RouteTable, error) {
	raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{
		NamespaceID: config.NamespaceEdge,
		Key:         routesKey(zone),
	})
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return &RouteTable{Routes: map[string]string{}}, nil
	}
	if err != nil {
		return nil, err
	}
	var t RouteTable
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("routes for %s: %w", zone, err)
	}
	if t.Routes == nil {
		t.Routes = map[string]string{}
	}
	return &t, nil
}

func edit(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, zone string, ops []op) (err error) {
	table, err := load(ctx, api, rc, zone)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			return
		}
		table.UpdatedAt = time.Now().UTC()
		b, merr := json.Marshal(table)
		if merr != nil {
			err = merr
			return
		}
		_, err = api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvrace
			NamespaceID: config.NamespaceEdge,
			Key:         routesKey(zone),
			Value:       b,
		})
	}()

	for _, o := range ops {
		switch o.kind {
		case "add":
			table.Routes[o.prefix] = o.origin
		case "rm":
			if _, ok := table.Routes[o.prefix]; !ok {
				return fmt.Errorf("no route for %s", o.prefix)
			}
			delete(table.Routes, o.prefix)
		}
	}
	return nil
}

func replace(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, zone, file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var t RouteTable
	if err := json.Unmarshal(b, &t); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	t.UpdatedAt = time.Now().UTC()
	t.Revision = os.Getenv("GIT_COMMIT")
	out, err := json.Marshal(t)
	if err != nil {
		return err
	}
	_, err = api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: config.NamespaceEdge,
		Key:         routesKey(zone),
		Value:       out,
	})
	return err
}

func main() {
	zone := flag.String("zone", "", "zone name")
	flag.Parse()
	args := flag.Args()
	if *zone == "" || len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: routectl -zone ZONE show|add PREFIX ORIGIN|rm PREFIX|load FILE")
		os.Exit(2)
	}
	api, rc, err := cfclient.Legacy()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	switch args[0] {
	case "show":
		t, err := load(ctx, api, rc, *zone)
		if err != nil {
			log.Fatal(err)
		}
		prefixes := make([]string, 0, len(t.Routes))
		for p := range t.Routes {
			prefixes = append(prefixes, p)
		}
		sort.Strings(prefixes)
		for _, p := range prefixes {
			fmt.Printf("%-30s %s\n", p, t.Routes[p])
		}
	case "add":
		if len(args) != 3 {
			log.Fatal("add PREFIX ORIGIN")
		}
		err = edit(ctx, api, rc, *zone, []op{{kind: "add", prefix: args[1], origin: args[2]}})
	case "rm":
		if len(args) != 2 {
			log.Fatal("rm PREFIX")
		}
		err = edit(ctx, api, rc, *zone, []op{{kind: "rm", prefix: args[1]}})
	case "load":
		if len(args) != 2 {
			log.Fatal("load FILE")
		}
		err = replace(ctx, api, rc, *zone, args[1])
	default:
		log.Fatalf("unknown command %q", args[0])
	}
	if err != nil {
		log.Fatal(err)
	}
}
