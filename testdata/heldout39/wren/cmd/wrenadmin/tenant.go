package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"wren/internal/admin"
	"wren/internal/keys"
)

// settings is a tenant's loyalty configuration, edited in the back office.
type settings struct {
	SilverPoints int      `json:"silver_points"`
	GoldPoints   int      `json:"gold_points"`
	PointsPerEUR int      `json:"points_per_eur"`
	Excluded     []string `json:"excluded_items"`
}

func defaultSettings() settings {
	return settings{SilverPoints: 500, GoldPoints: 2000, PointsPerEUR: 1}
}

func (e *env) tierRules(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("tier-rules", flag.ExitOnError)
	tenant := fs.String("tenant", "", "tenant id")
	silver := fs.Int("silver", 0, "points for silver (0 = unchanged)")
	gold := fs.Int("gold", 0, "points for gold (0 = unchanged)")
	fs.Parse(args)

	ns, err := e.ns(*tenant)
	if err != nil {
		return err
	}
	key := keys.Join(*tenant, "loyalty-settings")
	s := defaultSettings()
	res, err := ns.Client.KV.Namespaces.Values.Get(ctx, ns.ID, key, kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(ns.AccountID),
	})
	if err == nil {
		defer res.Body.Close()
		if err := json.NewDecoder(res.Body).Decode(&s); err != nil {
			return fmt.Errorf("settings: %w", err)
		}
	}
	if *silver > 0 {
		s.SilverPoints = *silver
	}
	if *gold > 0 {
		s.GoldPoints = *gold
	}
	if s.SilverPoints >= s.GoldPoints {
		return errors.New("silver must be below gold")
	}
	doc, _ := json.Marshal(s)
	if err := ns.Put(ctx, key, string(doc), 0); err != nil { // EXPECT kvrace
		return fmt.Errorf("settings: %w", err)
	}
	fmt.Printf("%s: silver %d, gold %d\n", *tenant, s.SilverPoints, s.GoldPoints)
	return nil
}

func (e *env) holdTable(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("hold-table", flag.ExitOnError)
	tenant := fs.String("tenant", "", "tenant id")
	table := fs.Int("table", 0, "table number")
	hold := fs.Duration("for", 90*time.Minute, "how long to hold the table")
	name := fs.String("name", "", "reservation name")
	fs.Parse(args)

	ns, err := e.ns(*tenant)
	if err != nil {
		return err
	}
	until := time.Now().Add(*hold)
	_, err = ns.Client.KV.Namespaces.Values.Update(ctx, ns.ID, keys.Table(*tenant, *table)+"/hold", kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(ns.AccountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(*name)),
		Expiration: cloudflare.F(float64(until.UnixMilli())), // EXPECT kvttl
	})
	if err != nil {
		return fmt.Errorf("hold table %d: %w", *table, err)
	}
	fmt.Printf("table %d held for %s until %s\n", *table, *name, until.Format(time.Kitchen))
	return nil
}

func (e *env) get(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("get", flag.ExitOnError)
	tenant := fs.String("tenant", "", "tenant id")
	key := fs.String("key", "", "key")
	fs.Parse(args)

	ns, err := e.ns(*tenant)
	if err != nil {
		return err
	}
	res, err := ns.Client.KV.Namespaces.Values.Get(ctx, ns.ID, *key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(ns.AccountID),
	})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if len(raw) == 0 { // EXPECT kvnull
		fmt.Println("(not set)")
		return nil
	}
	fmt.Println(string(raw))
	if exp := res.Header.Get("Expiration"); exp != "" {
		if n, err := strconv.ParseInt(exp, 10, 64); err == nil {
			fmt.Printf("expires %s\n", time.Unix(n, 0).UTC().Format(time.RFC3339))
		}
	}
	return nil
}

type posTicket struct {
	OrderID string          `json:"order_id"`
	Status  string          `json:"status"`
	Lines   json.RawMessage `json:"lines"`
}

type posFeed struct {
	Cursor  string      `json:"cursor"`
	Tickets []posTicket `json:"tickets"`
}

// syncKDS mirrors ticket updates from an on-premises POS into the tenant's
// namespace for restaurants whose kitchen still runs the POS printer flow.
func (e *env) syncKDS(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sync-kds", flag.ExitOnError)
	tenant := fs.String("tenant", "", "tenant id")
	posURL := fs.String("pos", "http://127.0.0.1:8089/feed", "POS ticket feed")
	poll := fs.Duration("poll", 2*time.Second, "poll interval")
	fs.Parse(args)

	ns, err := e.ns(*tenant)
	if err != nil {
		return err
	}
	buf := admin.NewBuffer(ns, e.cfg.Kitchen.FlushEvery, e.cfg.Kitchen.TicketTTL)
	flushed := make(chan error, 1)
	go func() { flushed <- buf.Run(ctx) }()

	seen := map[string]bool{}
	day := keys.Day(time.Now())
	cursor := ""
	t := time.NewTicker(*poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return <-flushed
		case <-t.C:
		}
		var feed posFeed
		if err := getJSON(ctx, *posURL+"?cursor="+cursor, &feed); err != nil {
			fmt.Printf("poll: %v\n", err)
			continue
		}
		cursor = feed.Cursor
		for _, tk := range feed.Tickets {
			doc, _ := json.Marshal(tk)
			buf.Set(keys.For(*tenant, keys.KindTicket, tk.OrderID), string(doc))
			seen[tk.OrderID] = true
		}
		buf.Set(keys.Join(*tenant, "kds", "pos-cursor"), cursor)

		if d := keys.Day(time.Now()); d != day {
			total, closed := len(seen), day
			seen, day = map[string]bool{}, d
			go func() {
				key := keys.Join(*tenant, "stats", "orders-count", closed)
				if err := ns.Put(context.WithoutCancel(ctx), key, strconv.Itoa(total), 90*24*time.Hour); err != nil { // DEBATABLE kvcounter
					fmt.Printf("daily count: %v\n", err)
				}
			}()
		}
	}
}

func getJSON(ctx context.Context, url string, dst any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(dst)
}
